"""Core delivery bookkeeping that the polls feature leans on: retries on a busy database, acks kept on rollback."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy.exc import OperationalError

import handlers.roster as roster
from tests.support.testbot import only


def whoami_failing(testbot, error: str, times: int) -> tuple[str, int]:
    """Ask #我的信息 while its handler raises ``error`` the first ``times`` calls: (reply, calls)."""
    calls = []

    def flaky(ctx):
        calls.append(1)
        if len(calls) <= times:
            raise OperationalError("UPDATE member", {}, Exception(error))
        roster.whoami(ctx)

    command = testbot.runtime.registry.commands["我的信息"]
    object.__setattr__(command, "handler", flaky)
    try:
        return only(testbot.say("b3", "zhang", "#我的信息")).text, len(calls)
    finally:
        object.__setattr__(command, "handler", roster.whoami)


def test_a_busy_database_is_tried_again_from_the_start(testbot):
    reply, calls = whoami_failing(testbot, "database is locked", times=2)
    assert calls == 3 and "张阿姨：居民" in reply


def test_other_database_errors_are_not_retried(testbot):
    reply, calls = whoami_failing(testbot, "no such table: x", times=1)
    assert calls == 1 and "出了问题" in reply


def test_a_refused_message_does_not_get_the_previous_reply_sent_twice(testbot):
    only(testbot.say("b3", "zhang", "#我的信息"))
    # Refused: its transaction, which also recorded the delivery of the reply above, rolls back.
    assert "名册里没有门牌" in only(testbot.say("b3", "zhang", "#绑定 9-9-999")).text
    testbot.say("b3", "bl3", "#投票 换灯？ 换/不换 截止 3小时后")
    sent = testbot.advance(timedelta(hours=4))
    assert all("张阿姨" not in s.text for s in sent) and len(sent) == 2  # the 2-hour nudge and the result
