"""1,000 votes at once from two workers on one database: every one counted exactly once.

Redemptions racing for stock belong to the points feature and are tested there.
"""
from __future__ import annotations

from sqlmodel import func, select

from storage.models import Ballot, PollVoter
from tests.support.testbot import TestBot
from tests.test_polls import poll_settings
from tests.test_polls_concurrency import counts, heard, listen, vote_all  # noqa: F401  (heard is a fixture)

VOTERS = 1000


def test_1000_votes_at_once_from_two_workers_are_counted_exactly(db_url, tmp_path, heard):  # noqa: F811
    settings = poll_settings(tmp_path)
    first = TestBot(database_url=db_url, settings=settings)
    listen(first, heard)
    first.say("all", "staff1", "#投票 小区大门晚上几点关？ 22点/23点/24点/不关 截止 周五18:00")
    second = TestBot(database_url=db_url, settings=settings, start=first.now)
    listen(second, heard)
    workers = [first, second]
    people = [f"p{i}" for i in range(VOTERS)]

    replies = vote_all(workers, "all", [(p, f"投 {i % 4 + 1}") for i, p in enumerate(people)], "first")
    assert all(r.startswith("已记下") for r in replies), [r for r in replies if not r.startswith("已记下")][:3]
    assert counts(first) == [250, 250, 250, 250]

    # At once again: 400 change to 不关, 300 send the same vote again, 300 withdraw theirs.
    wave = ([(p, "投 4") for p in people[:400]] + [(p, f"投 {i % 4 + 1}") for i, p in enumerate(people[400:700], 400)]
            + [(p, "#撤回投票") for p in people[700:]])
    vote_all(workers, "all", wave, "second")
    assert counts(second) == [75, 75, 75, 400 + 75]
    assert first.export()["polls"][0]["voters"] == 700
    with first.session() as s:
        assert s.exec(select(func.count()).select_from(Ballot)).one() == 700
        # Who ever voted stays known (withdrawing a vote does not undo having taken part).
        assert s.exec(select(func.count()).select_from(PollVoter)).one() == VOTERS
    # Each person is announced to the other features once, by whichever worker counted them.
    assert len(heard) == len(set(heard)) == VOTERS
    for bot in workers:
        bot.close()
