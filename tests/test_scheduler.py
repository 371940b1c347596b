"""Scheduled work on a simulated clock: on time, once, across restarts, respecting quiet hours."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import func, select

from bot.features import FEATURES
from storage.models import JobRun, Outbox
from tests.support.testbot import TestBot, only

WITH_CLOCKWORK = FEATURES + ("tests.support.clockwork",)


def bot_at(db_url: str, start: datetime | None = None) -> TestBot:
    kwargs = {"start": start} if start else {}
    return TestBot(database_url=db_url, features=WITH_CLOCKWORK, **kwargs)


def test_a_one_shot_job_fires_at_its_simulated_time(db_url):
    bot = bot_at(db_url)
    bot.say("b3", "zhang", "#定时 30 开会了")
    assert bot.advance(timedelta(minutes=28)) == []
    fired = only(bot.advance(timedelta(minutes=5)))
    assert fired.text == "开会了" and fired.chat == "b3"
    assert fired.at == datetime.fromisoformat("2026-11-23T09:31:00+08:00")
    assert bot.advance(timedelta(days=3)) == []
    bot.close()


def test_a_daily_job_fires_every_day_and_jobs_fire_in_time_order(db_url):
    bot = bot_at(db_url)
    bot.say("b3", "zhang", "#每日 8 早上好")
    bot.say("b5", "zhao", "#定时 1440 明天的会")
    sent = bot.advance(timedelta(days=3))
    assert [(s.at.day, s.at.hour, s.text) for s in sent] == [
        (24, 8, "早上好"), (24, 9, "明天的会"), (25, 8, "早上好"), (26, 8, "早上好"),
    ]
    bot.close()


def test_jobs_survive_a_restart_and_are_not_duplicated(db_url):
    bot = bot_at(db_url)
    bot.say("b3", "zhang", "#每日 8 早上好")
    bot.close()
    restarted = bot_at(db_url, start=datetime.fromisoformat("2026-11-23T10:00:00+08:00"))
    sent = restarted.advance(timedelta(days=2))
    assert [s.text for s in sent] == ["早上好", "早上好"]
    # Features keep periodic jobs of their own; only this test's job is counted.
    assert [j.id for j in restarted.runtime.scheduler.jobs() if j.id.startswith("test-")] == ["test-daily:b3"]
    restarted.close()


def test_a_run_missed_by_less_than_the_grace_is_sent_once_marked_late(db_url):
    bot = bot_at(db_url)
    bot.say("b3", "zhang", "#每日 8 早上好")
    bot.close()
    # The bot was down from Monday 09:02 until Tuesday 08:40: 40 minutes late, within the hour of grace.
    late = bot_at(db_url, start=datetime.fromisoformat("2026-11-24T08:40:00+08:00"))
    sent = late.advance(timedelta(minutes=1))
    assert [s.text for s in sent] == ["早上好（补发）"]
    with late.session() as s:
        run = s.exec(select(JobRun).where(JobRun.job_id == "test-daily:b3")).one()
        assert run.late and run.scheduled_at == datetime.fromisoformat("2026-11-24T08:00:00+08:00")
    assert [s.text for s in late.advance(timedelta(days=1))] == ["早上好"]
    late.close()


def test_a_run_missed_by_more_than_the_grace_is_skipped_and_the_next_one_kept(db_url, caplog):
    bot = bot_at(db_url)
    bot.say("b3", "zhang", "#每日 8 早上好")
    bot.close()
    later = bot_at(db_url, start=datetime.fromisoformat("2026-11-24T11:00:00+08:00"))
    assert later.advance(timedelta(minutes=1)) == []
    assert "missed its run" in caplog.text
    assert [s.at.day for s in later.advance(timedelta(days=1))] == [25]
    later.close()


def test_a_run_is_never_executed_twice(db_url):
    bot = bot_at(db_url)
    bot.say("b3", "zhang", "#定时 10 开会了")
    job = bot.runtime.scheduler.get("test-say:b3:开会了")
    when = job.next_run_time
    first = bot.runtime.dispatcher.run_job(job.id, "test-say", job.kwargs["args"], when, False)
    second = bot.runtime.dispatcher.run_job(job.id, "test-say", job.kwargs["args"], when, False)
    assert len(first) == 1 and second == []
    with bot.session() as s:
        assert s.exec(select(func.count()).select_from(JobRun).where(JobRun.job_id == job.id)).one() == 1
    bot.close()


def test_broadcasts_in_quiet_hours_wait_until_morning(db_url):
    bot = bot_at(db_url)
    bot.say("b3", "zhang", "#每日 23 晚安")
    sent = bot.advance(timedelta(days=1))
    assert [(s.at.day, s.at.hour, s.text) for s in sent] == [(24, 7, "晚安")]
    bot.close()


def test_replies_to_a_command_are_never_held(db_url):
    bot = bot_at(db_url, start=datetime.fromisoformat("2026-11-23T23:30:00+08:00"))
    reply = only(bot.say("b3", "zhang", "#帮助"))
    assert reply.at.hour == 23
    bot.close()


def test_held_messages_wait_in_the_outbox_not_in_memory(db_url):
    bot = bot_at(db_url)
    bot.say("b3", "zhang", "#每日 23 晚安")
    bot.advance(timedelta(hours=14, minutes=30))  # Monday 23:33: fired, held
    with bot.session() as s:
        held = s.exec(select(Outbox).where(Outbox.delivered_at.is_(None))).one()
        assert held.text == "晚安"
    bot.close()
    restarted = bot_at(db_url, start=datetime.fromisoformat("2026-11-24T06:00:00+08:00"))
    assert [(s.at.hour, s.text) for s in restarted.advance(timedelta(hours=2))] == [(7, "晚安")]
    restarted.close()


def test_a_worker_dying_between_a_run_and_storing_the_next_one_loses_nothing_and_doubles_nothing(db_url):
    bot = bot_at(db_url)
    bot.say("b3", "zhang", "#定时 10 开会了")
    ran = []

    def run_then_die(call):
        ran.append(bot.runtime.dispatcher.run_job(call.job_id, call.task, call.args, call.scheduled_at, call.late))
        raise KeyboardInterrupt  # killed after the run committed, before the store moved on

    bot.runtime.scheduler.runner = run_then_die
    with pytest.raises(KeyboardInterrupt):
        bot.advance(timedelta(minutes=11))
    assert [[o.text for o in r] for r in ran] == [["开会了"]]
    assert bot.runtime.scheduler.get("test-say:b3:开会了") is not None  # still due for the next leader
    bot.close()
    taking_over = bot_at(db_url, start=datetime.fromisoformat("2026-11-23T09:12:00+08:00"))
    # The dead worker never sent its message: it goes out once from the outbox; the job does not run again.
    assert [s.text for s in taking_over.advance(timedelta(minutes=1))] == ["开会了"]
    assert taking_over.runtime.scheduler.get("test-say:b3:开会了") is None
    with taking_over.session() as s:
        assert s.exec(select(func.count()).select_from(JobRun).where(JobRun.job_id == "test-say:b3:开会了")).one() == 1
        assert s.exec(select(func.count()).select_from(Outbox).where(Outbox.text == "开会了")).one() == 1
    taking_over.close()
