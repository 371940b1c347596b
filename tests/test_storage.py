"""Storage itself: migrations match the models, SQLite settings, the outbox survives a crash."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel, select

import storage.models  # noqa: F401
from storage.db import make_engine, session_scope
from storage.migrate import current_revision, upgrade
from storage.models import Outbox
from storage.repo.messaging import OUTBOX_LEASE
from tests.support.testbot import TestBot, only


def test_migrations_produce_exactly_the_models(db_url):
    engine = make_engine(db_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": lambda o, n, t, r, c: not (t == "table" and n == "apscheduler_jobs")}
        )
        assert compare_metadata(context, SQLModel.metadata) == []
    engine.dispose()


def test_migrating_twice_is_harmless(db_url):
    engine = make_engine(db_url)
    head = current_revision(engine)
    upgrade(engine)
    assert current_revision(engine) == head is not None
    engine.dispose()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(sqlite_url):
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_postgres_urls_use_psycopg3():
    from storage.db import normalize_url

    assert normalize_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("sqlite:///x.db") == "sqlite:///x.db"


def test_replies_are_committed_to_the_outbox_before_they_are_sent(db_url):
    bot = TestBot(database_url=db_url)
    # Handle without delivering, as if the process died right after the commit.
    outgoing = bot.runtime.dispatcher.handle(_message("#帮助"))
    assert len(outgoing) == 1
    redelivered = bot.runtime.dispatcher.due()
    if db_url.startswith("postgresql"):
        # Several workers may share this database: the writer owns the row for a lease.
        assert redelivered == []
        bot.runtime.clock.set(bot.now + OUTBOX_LEASE)
        redelivered = bot.runtime.dispatcher.due()
    assert [o.outbox_id for o in redelivered] == [outgoing[0].outbox_id]
    bot.runtime.dispatcher.acknowledge([(outgoing[0].outbox_id, None)])
    assert bot.runtime.dispatcher.due() == []
    bot.runtime.dispatcher.flush_acks()
    with bot.session() as s:
        assert s.exec(select(Outbox)).one().delivered_at is not None
    bot.close()


def test_a_failing_handler_rolls_back_and_the_bot_keeps_serving(db_url):
    bot = TestBot(database_url=db_url)
    import handlers.roster as roster

    def broken(ctx):
        ctx.session.add(Outbox(chat_id=1, text="half-done", created_at=ctx.now, not_before=ctx.now))
        raise RuntimeError("boom")

    command = bot.runtime.registry.commands["我的信息"]
    object.__setattr__(command, "handler", broken)
    try:
        reply = only(bot.say("b3", "zhang", "#我的信息")).text
    finally:
        object.__setattr__(command, "handler", roster.whoami)
    assert "出了问题" in reply and "boom" not in reply
    with bot.session() as s:
        assert s.exec(select(Outbox).where(Outbox.text == "half-done")).first() is None
    assert "#绑定" in only(bot.say("b3", "zhang", "#帮助")).text
    bot.close()


def test_a_refused_command_does_not_lose_the_acknowledgement_of_earlier_replies(db_url):
    bot = TestBot(database_url=db_url)
    bot.say("b3", "zhang", "#帮助")
    # Acknowledgements are recorded with the next transaction; this one rolls back.
    assert "不是申请编号" in only(bot.say("b3", "bl3", "#批准绑定 abc")).text
    bot.runtime.dispatcher.flush_acks()
    assert bot.runtime.dispatcher.due() == []
    with bot.session() as s:
        assert s.exec(select(Outbox).where(Outbox.delivered_at.is_(None))).all() == []
    bot.close()


def _message(text: str):
    from datetime import datetime

    from bot.events import IncomingMessage

    return IncomingMessage("console", "b3", "zhang", "张阿姨", text, datetime.fromisoformat("2026-11-23T09:01:00+08:00"))


def test_a_refused_command_does_not_send_earlier_replies_again(db_url):
    bot = TestBot(database_url=db_url)
    bot.say("b3", "zhang", "#帮助")  # sent; its acknowledgement rides on the next transaction
    assert "名册里没有门牌" in only(bot.say("b3", "zhang", "#绑定 9-9-999")).text  # that one rolls back
    assert bot.runtime.dispatcher.due() == []
    bot.close()


def test_the_member_cache_sees_a_change_made_here_at_once(db_url):
    bot = TestBot(database_url=db_url)
    bot.say("b3", "newbie", "#我的信息", name="小周")
    bot.say("b3", "newbie", "#绑定 3-1-102")
    bot.say("b3", "bl3", "#批准绑定 1")
    # The approval wrote the member in another event's session; the next message sees it.
    assert "门牌：3-1-102" in only(bot.say("b3", "newbie", "#我的信息")).text
    bot.close()


def test_the_member_cache_stays_bounded():
    from bot.services import MemberCache

    cache = MemberCache()
    cache.MAX_ENTRIES = 3

    class FakeSession:
        def merge(self, obj, load):
            return obj

    from storage.models import Member
    from storage.repo import community as community_repo

    made = {}

    def fake_lookup(session, *, platform, external_id):
        member = Member(id=int(external_id), community_id=1, display_name=external_id, created_at=None)
        made[external_id] = member
        return member

    original, community_repo.member_for = community_repo.member_for, fake_lookup
    try:
        for n in range(6):
            cache.get(FakeSession(), platform="console", external_id=str(n))
        assert len(cache) == 3
        cache.evict({5})
        assert len(cache) == 2
    finally:
        community_repo.member_for = original
