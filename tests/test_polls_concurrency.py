"""500 votes arriving at once on real threads are counted exactly, on SQLite and on PostgreSQL."""
from __future__ import annotations

import threading

import pytest
from sqlmodel import func, select

from bot.config import HouseholdConfig, MemberConfig
from bot.events import IncomingMessage
from storage.models import Ballot, PollVoter
from tests.support.race import handle_concurrently
from tests.support.testbot import TestBot
from tests.test_polls import poll_settings

THREADS = 16


def vote_all(bot: TestBot | list[TestBot], chat: str, votes: list[tuple[str, str]], tag: str) -> list[str]:
    """Hand every (sender, text) to the dispatcher from a pool of threads at once; the replies' texts.

    Given several bots (workers on one database), the votes are dealt out among them in turn.
    """
    bots = bot if isinstance(bot, list) else [bot]
    at = bots[0].now
    names = {m.key: m.name for c in bots[0].settings.communities for m in c.members}
    calls = [
        (bots[n % len(bots)],
         IncomingMessage("console", chat, sender, names.get(sender, sender), text, at, message_id=f"{tag}-{n}"))
        for n, (sender, text) in enumerate(votes)
    ]
    replies = [[o.text for o in sent] for sent in handle_concurrently(calls, threads=THREADS)]
    assert all(len(r) == 1 for r in replies)
    return [r[0] for r in replies]


def counts(bot: TestBot) -> list[int]:
    return [o["votes"] for o in bot.export()["polls"][0]["options"]]


@pytest.fixture
def heard():
    return []


def listen(bot: TestBot, heard: list) -> None:
    lock = threading.Lock()

    def record(ctx, **payload):
        with lock:
            heard.append(payload["member_id"])

    bot.runtime.registry.signals.setdefault("poll.voted", []).append(record)


def test_500_people_voting_at_once_are_each_counted_once_and_their_changes_win(db_url, tmp_path, heard):
    bot = TestBot(database_url=db_url, settings=poll_settings(tmp_path))
    listen(bot, heard)
    bot.say("all", "staff1", "#投票 外墙刷什么颜色？ 灰色/米黄色/白色 截止 周五18:00")
    people = [f"p{i}" for i in range(500)]
    replies = vote_all(bot, "all", [(p, f"投 {i % 3 + 1}") for i, p in enumerate(people)], "first")
    assert all(r.startswith("已记下") for r in replies), [r for r in replies if not r.startswith("已记下")][:3]
    assert counts(bot) == [167, 167, 166]
    # A second wave: 150 change to 白色 while 50 others send their first vote again.
    again = [(p, "投 3") for p in people[:150]] + [(p, f"投 {i % 3 + 1}") for i, p in enumerate(people[300:350], 300)]
    vote_all(bot, "all", again, "second")
    assert counts(bot) == [117, 117, 266]
    polls = bot.export()["polls"][0]
    assert polls["voters"] == 500
    assert len(heard) == len(set(heard)) == 500
    with bot.session() as s:
        assert s.exec(select(func.count()).select_from(Ballot)).one() == 500
        assert s.exec(select(func.count()).select_from(PollVoter)).one() == 500
    bot.close()


def household_settings(tmp_path, households: int):
    """250 more households in building 8, each with two bound members (a) and (b)."""
    settings = poll_settings(tmp_path)
    community = settings.communities[0]
    for n in range(households):
        code = f"8-{n % 2 + 1}-{1000 + n}"
        community.households.append(HouseholdConfig(code=code, area_m2=80))
        for who in "ab":
            community.members.append(MemberConfig(key=f"h{n}{who}", name=f"住户{n}{who}", household=code))
    return settings


def test_500_household_votes_at_once_keep_one_ballot_per_household(db_url, tmp_path, heard):
    bot = TestBot(database_url=db_url, settings=household_settings(tmp_path, 250))
    listen(bot, heard)
    bot.say("b8", "gl2", "#户投票 8栋是否加装电梯？ 同意/反对/弃权 截止 周五18:00")
    # Both members of every household vote at once: the same choice for even households,
    # opposite choices for odd ones (whichever commits last is the household's vote).
    wave = [(f"h{n}{who}", f"投 {1 if n % 2 == 0 or who == 'a' else 2}") for n in range(250) for who in "ab"]
    replies = vote_all(bot, "b8", wave, "first")
    assert all("户（" in r for r in replies)
    even_agree = 125
    agree, oppose, abstain = counts(bot)
    assert agree + oppose == 250 and abstain == 0 and agree >= even_agree
    with bot.session() as s:
        assert s.exec(select(func.count()).select_from(Ballot)).one() == 250
    # Then every odd household settles on 弃权 through one member, at once.
    vote_all(bot, "b8", [(f"h{n}b", "投 3") for n in range(1, 250, 2)], "second")
    assert counts(bot) == [125, 0, 125]
    polls = bot.export()["polls"][0]
    assert (polls["households_voted"], polls["households_eligible"], polls["voters"]) == (250, 253, 250)
    assert len(heard) == len(set(heard)) == 500
    bot.close()
