"""Core delivery bookkeeping that the polls feature leans on: retries on a busy database, acks kept on rollback."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import func, select

import handlers.roster as roster
from bot.events import IncomingMessage
from storage.models import Chat, Outbox, Reminder
from storage.repo import messaging as messaging_repo
from storage.repo.messaging import OUTBOX_LEASE
from tests.support.race import handle_at_once
from tests.support.testbot import TestBot, only


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


# -- several workers on one database ------------------------------------------------------

def test_one_message_seen_by_two_workers_at_once_has_one_effect(db_url):
    bots = [TestBot(database_url=db_url), TestBot(database_url=db_url)]
    moment = bots[0].now + timedelta(minutes=1)
    same = IncomingMessage("console", "b3", "bl3", "陈楼长", "#提醒 明天下午3点 开会", moment, message_id="wx-1")
    results = handle_at_once([(bot, same) for bot in bots])
    assert [o.text.startswith("好的，已设提醒 1") for r in results for o in r] == [True]
    with bots[0].session() as s:
        assert s.exec(select(func.count()).select_from(Reminder)).one() == 1
        assert s.exec(select(func.count()).select_from(Outbox)).one() == 1
    for bot in bots:
        bot.close()


@pytest.fixture
def two_workers(postgres_database):
    url = postgres_database.reset()
    bots = [TestBot(database_url=url), TestBot(database_url=url)]
    yield bots
    for bot in bots:
        bot.close()


def test_a_reply_in_one_workers_hands_is_not_swept_by_another(two_workers):
    first, second = two_workers
    start = first.now
    reply = only(first.runtime.dispatcher.handle(
        IncomingMessage("console", "b3", "zhang", "张阿姨", "#帮助", first.now, message_id="m1")))
    assert second.runtime.dispatcher.due() == []
    # Still queued on the first worker past its lease: the renewal keeps it there.
    for bot in two_workers:
        bot.runtime.clock.set(start + OUTBOX_LEASE)
    first.runtime.dispatcher.renew([reply.outbox_id])
    assert second.runtime.dispatcher.due() == []
    # The first worker died with it: once the lease runs out, another worker sends it.
    for bot in two_workers:
        bot.runtime.clock.set(start + OUTBOX_LEASE * 2)
    assert [o.outbox_id for o in second.runtime.dispatcher.due()] == [reply.outbox_id]
    assert first.runtime.dispatcher.due() == []


def test_two_workers_sweeping_at_once_take_each_held_message_once(two_workers):
    first, second = two_workers
    later = first.now + timedelta(minutes=5)
    with first.session() as s:
        chat = s.exec(select(Chat).where(Chat.key == "b3")).one()
        held = {messaging_repo.add_outbox(s, chat_id=chat.id, text=f"通知 {n}", now=first.now, not_before=later).id
                for n in range(200)}
    for bot in two_workers:
        bot.runtime.clock.set(later)
    barrier = threading.Barrier(2)
    taken: list[list[int]] = [[], []]

    def sweep(index: int) -> None:
        barrier.wait()
        taken[index] = [o.outbox_id for o in two_workers[index].runtime.dispatcher.due()]

    threads = [threading.Thread(target=sweep, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken[0] + taken[1]) == sorted(held)  # every one taken, none by both
