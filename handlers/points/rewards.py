"""The rewards catalogue (#奖品), redeeming points for goods (#兑换) and the handover (#发放)."""
from __future__ import annotations

import re

from bot.commands import record_number
from bot.context import Context
from bot.errors import Forbidden, NotFound, UsageError, UserError
from bot.router import STAFF
from storage.models import Member, Role
from storage.models.points import Reward
from storage.db import session_scope
from storage.repo import points as repo

from .feature import config, router

# At most six digits: no reward costs a million points, and the column is a 32-bit integer.
ITEM = re.compile(r"^(\S+)\s+([0-9]{1,6})\s*分(?:\s+库存\s*([0-9]{1,6}))?$")


@router.on_startup
def seed_catalogue(ctx: Context) -> None:
    """Put the configured rewards in the catalogue once; their stock is the database's after that.

    Committed on its own: other start-up hooks write the scheduler's job table through
    another connection, which an open write here would block on SQLite.
    """
    with session_scope(ctx.services.engine) as session:
        for item in config(ctx).rewards:
            repo.add_reward_once(session, community_id=ctx.community.id, name=item.name, cost=item.cost,
                                 stock=item.stock)


@router.command("奖品", aliases=("rewards",), summary="查看可兑换的奖品；社区工作者可上架或补货",
                usage="#奖品 ｜ #奖品 名称 分数分 库存数量", example="#奖品 洗衣液 50分 库存10")
def catalogue(ctx: Context) -> None:
    """List the rewards; staff add one or change its price and stock."""
    if ctx.args.strip():
        _manage(ctx)
        return
    items = repo.rewards(ctx.session, community_id=ctx.community.id)
    if not items:
        ctx.reply("还没有奖品。社区工作者可以发 #奖品 卫生纸 30分 库存20 上架。")
        return
    lines = ["可兑换的奖品："] + [f"{r.name} {r.cost} 分（剩 {r.stock}）" for r in items]
    lines.append("发 #兑换 奖品名 兑换，积分当场扣除，到社区领取。")
    ctx.reply("\n".join(lines))


def _manage(ctx: Context) -> None:
    if ctx.role != Role.staff:
        raise Forbidden("只有社区工作者可以上架奖品或补货。")
    match = ITEM.match(ctx.args.strip())
    if not match:
        raise UsageError()
    name, cost, stock = match.group(1), int(match.group(2)), match.group(3)
    if cost <= 0:
        raise UsageError("分数要大于 0。")
    item = repo.reward_named(ctx.session, community_id=ctx.community.id, name=name)
    if item is None:
        repo.add_reward_once(ctx.session, community_id=ctx.community.id, name=name, cost=cost,
                             stock=int(stock or 0))
        ctx.reply(f"已上架 {name}：{cost} 分，库存 {int(stock or 0)}。")
        return
    item.cost = cost
    if stock is not None:
        item.stock = int(stock)
    ctx.session.add(item)
    ctx.reply(f"已更新 {name}：{cost} 分，库存 {item.stock}。")


@router.command("兑换", aliases=("redeem",), summary="用积分兑换奖品", usage="#兑换 奖品名", example="#兑换 卫生纸")
def redeem(ctx: Context) -> None:
    """Debit the points and take one from stock in one transaction; either both happen or neither."""
    name = ctx.args.strip()
    if not name:
        raise UsageError()
    item = repo.reward_named(ctx.session, community_id=ctx.community.id, name=name)
    if item is None:
        names = "、".join(r.name for r in repo.rewards(ctx.session, community_id=ctx.community.id)) or "暂无"
        raise NotFound(f"没有“{name}”这个奖品。可兑换：{names}")
    member = ctx.member
    repo.lock_member_balance(ctx.session, community_id=ctx.community.id, member_id=member.id)
    have = repo.balance(ctx.session, member_id=member.id)
    if not repo.debit_if_covered(ctx.session, member_id=member.id, amount=item.cost):
        raise UserError(f"积分不够：{item.name} 要 {item.cost} 分，您现有 {have} 分。")
    left = repo.take_one(ctx.session, reward_id=item.id)
    if left is None:
        raise UserError(f"{item.name} 已经兑完了，积分没有扣。")
    # The balance was already moved by the conditional debit: the entry is written without moving it again.
    entry = repo.append_debited(ctx.session, community_id=ctx.community.id, member_id=member.id,
                                amount=-item.cost, reason=item.name, at=ctx.now)
    row = repo.add_redemption(ctx.session, community_id=ctx.community.id, member_id=member.id, reward_id=item.id,
                              cost=item.cost, entry_id=entry.id, created_at=ctx.now)
    ctx.reply(f"兑换成功（兑换单 #{row.id}）：{item.name}，扣 {item.cost} 分，"
              f"还剩 {repo.balance(ctx.session, member_id=member.id)} 分。请到社区领取，工作人员发放时会确认。")


@router.command("发放", aliases=("handover",), roles=STAFF, summary="确认奖品已交到居民手里",
                usage="#发放 兑换单编号", example="#发放 3")
def hand_over(ctx: Context) -> None:
    """Staff confirm a redeemed reward was handed over."""
    number = record_number(ctx.argv[0]) if len(ctx.argv) == 1 else None
    if number is None:
        raise UsageError()
    row = repo.redemption_in(ctx.session, community_id=ctx.community.id, redemption_id=number)
    if row is None:
        raise NotFound(f"没有兑换单 #{number}。")
    if not repo.mark_handed(ctx.session, redemption_id=row.id, by_id=ctx.member.id, at=ctx.now):
        raise UserError(f"兑换单 #{row.id} 已经发放过了。")
    member = ctx.session.get(Member, row.member_id)
    reward = ctx.session.get(Reward, row.reward_id)
    ctx.reply(f"兑换单 #{row.id} 已发放：{member.display_name} 的 {reward.name}。", mentions=(member.id,))
