"""Stopped across a reminder, a poll deadline and the weekly summary, then restarted: each is sent
once, the late ones say so, none is sent twice (not even by a third start)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from storage.models import JobRun
from tests.support.testbot import Sent, TestBot

MONDAY = datetime.fromisoformat("2026-11-23T09:00:00+08:00")
TUESDAY = datetime.fromisoformat("2026-11-24T00:00:00+08:00")


def runs(bot: TestBot, prefix: str) -> list[tuple[datetime, bool]]:
    with bot.session() as s:
        rows = s.exec(select(JobRun).where(JobRun.job_id.startswith(prefix)).order_by(JobRun.scheduled_at)).all()
        return [(r.scheduled_at, r.late) for r in rows]


def in_b3(sent: list[Sent], marker: str) -> list[str]:
    return [s.text for s in sent if s.chat == "b3" and marker in s.text]


def set_up(db_url: str) -> TestBot:
    bot = TestBot(database_url=db_url, start=MONDAY)
    bot.say("b3", "bl3", "#提醒 明天上午9点 开会")
    bot.say("b3", "bl3", "#投票 单元门换什么锁？ 密码锁/刷卡锁 截止 明天9:30")
    bot.say("b3", "zhang", "投 1")
    return bot


def restart(db_url: str, at: datetime) -> tuple[TestBot, list[Sent]]:
    """A new process on the same database; what it sends catching up in its first minute."""
    bot = TestBot(database_url=db_url, start=at)
    return bot, bot.advance(timedelta(minutes=1))


def test_stopped_across_a_reminder_and_a_poll_deadline_each_is_sent_once_marked_late(db_url):
    first = set_up(db_url)
    first.advance(to=TUESDAY.replace(hour=8, minute=50))
    first.close()

    second, caught_up = restart(db_url, TUESDAY.replace(hour=9, minute=45))
    assert in_b3(caught_up, "【提醒】开会") == ["【提醒】开会（补发，原定 09:00）"]
    results = in_b3(caught_up, "【投票 #1 结果】")
    assert len(results) == 1 and "补发" in results[0] and "09:30 截止" in results[0]
    assert len(runs(second, "reminder:")) == len(runs(second, "poll-close:")) == 1
    assert all(late for _, late in runs(second, "reminder:") + runs(second, "poll-close:"))
    second.close()

    third, again = restart(db_url, TUESDAY.replace(hour=10))
    again += third.advance(timedelta(days=2))
    assert in_b3(again, "【提醒】开会") == [] and in_b3(again, "【投票 #1") == []
    third.close()


def test_stopped_just_after_the_reminder_it_is_not_sent_again(db_url):
    first = set_up(db_url)
    sent = first.advance(to=TUESDAY.replace(hour=9, second=30))
    assert in_b3(sent, "【提醒】开会") == ["【提醒】开会"]
    first.close()

    second, caught_up = restart(db_url, TUESDAY.replace(hour=9, minute=45))
    assert in_b3(caught_up, "【提醒】开会") == []
    assert len(in_b3(caught_up, "【投票 #1 结果】")) == 1
    assert runs(second, "reminder:") == [(runs(second, "reminder:")[0][0], False)]
    second.close()


def test_stopped_across_the_weekly_summary_it_is_sent_once_marked_late(db_url):
    bot = TestBot(database_url=db_url, start=MONDAY)
    # A week in which someone scored: a week without points posts no summary at all.
    bot.say("b3", "bl3", "#积分 @张阿姨 +5 大扫除", mentions=("zhang",))
    due = bot.runtime.scheduler.get(f"weekly-summary:{bot.settings.communities[0].key}").next_run_time
    assert due.astimezone(MONDAY.tzinfo).strftime("%a %H:%M") == "Sun 20:00"
    bot.advance(to=due - timedelta(minutes=10))
    bot.close()

    second, caught_up = restart(db_url, due + timedelta(minutes=20))
    summaries = in_b3(caught_up, "【本周积分】")
    assert len(summaries) == 1 and "张阿姨" in summaries[0]
    assert "补发：原定 11月29日 20:00 发布" in summaries[0]
    assert runs(second, "weekly-summary:") == [(runs(second, "weekly-summary:")[0][0], True)]
    second.close()

    third, again = restart(db_url, due + timedelta(minutes=40))
    assert again == [] and len(runs(third, "weekly-summary:")) == 1
    third.close()
