"""Redeeming at the same moment: the last item goes to exactly one member; 200 redemptions of
50 items leave exactly 50 debits and a stock of zero, on SQLite and on PostgreSQL."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlmodel import func, select

from bot.config import MemberConfig
from bot.events import IncomingMessage
from storage.models import Member
from storage.models.points import PointEntry, Redemption, Reward
from storage.repo import points as repo
from tests.support.race import handle_at_once
from tests.support.testbot import TestBot
from tests.test_points import points_settings

THREADS = 16


def crowd_settings(tmp_path, people: int, stock: int):
    settings = points_settings(tmp_path, rewards=[{"name": "卫生纸", "cost": 10, "stock": stock}])
    community = settings.communities[0]
    for n in range(people):
        community.members.append(MemberConfig(key=f"p{n}", name=f"居民{n}", household="3-2-302"))
    return settings


def give_everyone(bot: TestBot, keys: list[str], amount: int) -> None:
    """Credit each member directly in the ledger (the awarding path is tested elsewhere)."""
    with bot.session() as s:
        for member in s.exec(select(Member).where(Member.key.in_(keys))):
            repo.append(s, community_id=member.community_id, member_id=member.id, amount=amount,
                        rule="志愿服务", reason="测试", approved_by_id=None, at=bot.now)


def stock_and_debits(bot: TestBot) -> tuple[int, int, int, int]:
    with bot.session() as s:
        stock = s.exec(select(Reward.stock)).one()
        debits = s.exec(select(func.count(), func.coalesce(func.sum(PointEntry.amount), 0))
                        .where(PointEntry.rule == repo.REDEEM_RULE)).one()
        handovers = s.exec(select(func.count()).select_from(Redemption)).one()
        return stock, debits[0], int(debits[1]), handovers


def test_two_members_redeeming_the_last_item_at_once_exactly_one_gets_it(db_url, tmp_path):
    settings = crowd_settings(tmp_path, 2, stock=1)
    first = TestBot(database_url=db_url, settings=settings)
    second = TestBot(database_url=db_url, settings=settings)  # a second worker on the same database
    give_everyone(first, ["p0", "p1"], 10)
    at = first.now
    results = handle_at_once([
        (first, IncomingMessage("console", "b3", "p0", "居民0", "#兑换 卫生纸", at, message_id="r0")),
        (second, IncomingMessage("console", "b3", "p1", "居民1", "#兑换 卫生纸", at, message_id="r1")),
    ])
    replies = sorted(o.text for r in results for o in r)
    assert len(replies) == 2
    assert sum("兑换成功" in r for r in replies) == 1 and sum("已经兑完了，积分没有扣" in r for r in replies) == 1
    assert stock_and_debits(first) == (0, 1, -10, 1)
    balances = {b["member"]: b["balance"] for b in first.export()["points"]["balances"]}
    assert sorted(balances.values()) == [0, 10]
    with first.session() as s:
        assert repo.balance_mismatches(s, community_id=1) == []
    first.close()
    second.close()


def test_200_redemptions_of_50_items_at_once_succeed_exactly_50_times(db_url, tmp_path):
    bot = TestBot(database_url=db_url, settings=crowd_settings(tmp_path, 200, stock=50))
    keys = [f"p{n}" for n in range(200)]
    give_everyone(bot, keys, 10)
    at = bot.now

    def redeem(n: int) -> list[str]:
        event = IncomingMessage("console", "b3", keys[n], f"居民{n}", "#兑换 卫生纸", at, message_id=f"x{n}")
        return [o.text for o in bot.runtime.dispatcher.handle(event)]

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        replies = [r for rs in pool.map(redeem, range(200)) for r in rs]
    assert len(replies) == 200
    assert sum("兑换成功" in r for r in replies) == 50
    assert sum("已经兑完了，积分没有扣" in r for r in replies) == 150
    assert stock_and_debits(bot) == (0, 50, -500, 50)
    balances = [b["balance"] for b in bot.export()["points"]["balances"]]
    assert sorted(balances) == [0] * 50 + [10] * 150
    with bot.session() as s:
        assert repo.balance_mismatches(s, community_id=1) == []
    bot.close()
