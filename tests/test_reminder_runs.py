"""Reminders over time: restarts, missed runs, quiet hours, holidays, check-ins and the start-up hooks."""
from __future__ import annotations

import logging
import subprocess
import sys
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from sqlmodel import func, select

from bot.config import ConfigError, QuietHours, load_settings
from bot.events import IncomingMessage
from bot.when import Recurring
from storage.models import JobRun, Reminder, ReminderCheckin, ReminderOccurrence, ReminderStatus
from tests.support.race import handle_at_once
from tests.support.testbot import DATA, TestBot, only, texts
from tests.test_reminders import jobs as reminder_jobs

MONDAY = datetime.fromisoformat("2026-11-23T09:00:00+08:00")
SATURDAY_8 = datetime.fromisoformat("2026-11-28T08:00:00+08:00")
CLEAN_UP = "#提醒 每周六早上8点 卫生大扫除，请大家带好工具到楼下集合 签到2小时 发到 全体群"
RESIDENT_CHATS = ["all", "b3", "b5", "b8", "grid2"]
ROOT = Path(__file__).resolve().parents[1]


def bot_at(db_url: str, start: datetime = MONDAY, *, reminders: dict | None = None, **settings) -> TestBot:
    loaded = load_settings(DATA / "community.yaml")
    update = {**settings, **({"reminders": reminders} if reminders is not None else {})}
    return TestBot(database_url=db_url, settings=loaded.model_copy(update=update), start=start)


def count(bot: TestBot, model) -> int:
    with bot.session() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def set_clean_up(bot: TestBot) -> None:
    assert "已设提醒 1" in only(bot.say("lead", "staff1", CLEAN_UP)).text


# -- the Saturday clean-up -----------------------------------------------------------------

def test_the_saturday_clean_up_goes_to_every_residents_chat_and_opens_check_in(db_url):
    bot = bot_at(db_url)
    set_clean_up(bot)
    sent = bot.advance(to=SATURDAY_8)
    assert [(s.at, s.chat) for s in sent] == [(SATURDAY_8, chat) for chat in RESIDENT_CHATS]
    assert sent[0].text == "【提醒】卫生大扫除，请大家带好工具到楼下集合\n回复 签到 记积分（10:00 截止）"
    assert only(bot.say("b3", "zhang", "签到")).text == "✅ 张阿姨 签到成功（卫生大扫除，第 1 位）"
    assert only(bot.say("b5", "zhao", "签到")).text == "✅ 赵大爷 签到成功（卫生大扫除，第 2 位）"
    bot.close()


# -- persistence ---------------------------------------------------------------------------

def test_reminders_survive_a_stop_and_start_and_each_run_is_sent_once(db_url):
    bot = bot_at(db_url)
    set_clean_up(bot)
    bot.say("b3", "bl3", "#提醒 周三晚上7点 在红色议事厅开板凳会")
    bot.say("b3", "zhang", "#提醒 每天早上7点半 吃降压药")
    bot.close()

    restarted = bot_at(db_url, datetime.fromisoformat("2026-11-24T12:00:00+08:00"))
    sent = restarted.advance(to=datetime.fromisoformat("2026-11-29T00:00:00+08:00"))
    assert [(s.at.day, s.at.strftime("%H:%M"), s.chat, s.mentions) for s in sent if s.chat == "b3"] == [
        (25, "07:30", "b3", ("zhang",)), (25, "19:00", "b3", ()), (26, "07:30", "b3", ("zhang",)),
        (27, "07:30", "b3", ("zhang",)), (28, "07:30", "b3", ("zhang",)), (28, "08:00", "b3", ()),
    ]
    assert sum(s.text.startswith("【提醒】卫生大扫除") for s in sent) == len(RESIDENT_CHATS)
    assert reminder_jobs(restarted) == ["reminder:1", "reminder:3"]
    listed = only(restarted.say("b3", "zhang", "#提醒列表")).text
    assert "1. 每周六 08:00" in listed and "3. 每天 07:30" in listed and "板凳会" not in listed
    restarted.close()


def test_a_check_in_window_stays_open_across_a_restart(db_url):
    bot = bot_at(db_url)
    set_clean_up(bot)
    bot.advance(to=SATURDAY_8)
    bot.say("b3", "zhang", "签到")
    bot.close()
    restarted = bot_at(db_url, SATURDAY_8 + timedelta(minutes=30))
    assert "第 2 位" in only(restarted.say("b3", "li", "签到")).text
    assert "已经签到过了" in only(restarted.say("b3", "zhang", "签到")).text
    restarted.close()


# -- missed runs ---------------------------------------------------------------------------

def test_a_run_missed_by_less_than_the_grace_is_sent_once_marked_late(db_url):
    bot = bot_at(db_url)
    set_clean_up(bot)
    bot.close()
    # Down from Monday until Saturday 08:40: forty minutes late, within the hour of grace.
    late = bot_at(db_url, SATURDAY_8 + timedelta(minutes=40))
    sent = late.advance(timedelta(minutes=1))
    assert [s.chat for s in sent] == RESIDENT_CHATS
    assert sent[0].text == "【提醒】卫生大扫除，请大家带好工具到楼下集合（补发，原定 08:00）\n回复 签到 记积分（10:40 截止）"
    assert sent[0].at == SATURDAY_8 + timedelta(minutes=40)
    with late.session() as s:
        run = s.exec(select(JobRun).where(JobRun.job_id.startswith("reminder:"))).one()
        assert run.late and run.scheduled_at == SATURDAY_8
        assert s.exec(select(ReminderOccurrence)).one().late
    assert "签到成功" in only(late.say("b3", "zhang", "签到", after=timedelta(minutes=100))).text  # 10:21
    late.close()
    # Another start the same morning sends nothing again; next week is on time and not late.
    again = bot_at(db_url, SATURDAY_8 + timedelta(minutes=50))
    # The check-in earned points, so Sunday evening brings the weekly points summary too.
    sent = [s for s in again.advance(timedelta(days=7)) if s.outgoing.tag != "points:weekly"]
    assert [(s.at, s.text.splitlines()[0]) for s in sent][:1] == [
        (SATURDAY_8 + timedelta(days=7), "【提醒】卫生大扫除，请大家带好工具到楼下集合")]
    assert len(sent) == len(RESIDENT_CHATS)
    again.close()


def test_a_run_missed_by_more_than_the_grace_is_skipped_and_logged(db_url, caplog):
    bot = bot_at(db_url)
    set_clean_up(bot)
    bot.close()
    late = bot_at(db_url, SATURDAY_8 + timedelta(minutes=61))
    with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
        assert late.advance(timedelta(hours=2)) == []
    assert "job reminder:1 missed its run at 2026-11-28T08:00:00+08:00" in caplog.text
    with late.session() as s:
        reminder_runs = s.exec(select(func.count()).select_from(JobRun).where(JobRun.job_id.startswith("reminder:"))).one()
    assert count(late, ReminderOccurrence) == 0 and reminder_runs == 0
    assert "签到" not in texts(late.say("b3", "zhang", "签到"))
    sent = late.advance(to=SATURDAY_8 + timedelta(days=7))
    assert [s.at for s in sent] == [SATURDAY_8 + timedelta(days=7)] * len(RESIDENT_CHATS)
    assert "补发" not in sent[0].text
    late.close()


def test_the_grace_comes_from_the_config(db_url):
    bot = bot_at(db_url, reminders={"grace_minutes": 180})
    set_clean_up(bot)
    bot.close()
    late = bot_at(db_url, SATURDAY_8 + timedelta(hours=2), reminders={"grace_minutes": 180})
    sent = late.advance(timedelta(minutes=1))
    assert len(sent) == len(RESIDENT_CHATS) and "（补发，原定 08:00）" in sent[0].text
    late.close()


def test_two_processes_on_one_database_send_a_run_once(db_url):
    bot = bot_at(db_url)
    set_clean_up(bot)
    bot.close()
    first = bot_at(db_url, SATURDAY_8 + timedelta(minutes=5))
    second = bot_at(db_url, SATURDAY_8 + timedelta(minutes=5))
    job = second.runtime.scheduler.get("reminder:1")
    assert len(first.advance(timedelta(minutes=1))) == len(RESIDENT_CHATS)
    assert second.advance(timedelta(minutes=1)) == []
    # Even told to run it directly, the second finds the run already claimed.
    assert second.runtime.dispatcher.run_job(job.id, "reminder.send", job.kwargs["args"], SATURDAY_8, True) == []
    assert count(second, ReminderOccurrence) == 1
    first.close()
    second.close()


# -- quiet hours ---------------------------------------------------------------------------

def test_a_reminder_due_in_quiet_hours_waits_for_their_end_and_its_check_in_opens_then(db_url):
    bot = bot_at(db_url)
    echo = only(bot.say("b3", "bl3", "#提醒 每天早上6点半 楼道消杀，请关好门窗 签到1小时")).text
    assert "11月24日(周二) 06:30（免打扰时段，07:00 发出）" in echo
    sent = only(bot.advance(to=datetime.fromisoformat("2026-11-24T07:10:00+08:00")))
    assert sent.at == datetime.fromisoformat("2026-11-24T07:00:00+08:00")
    assert sent.text == "【提醒】楼道消杀，请关好门窗\n回复 签到 记积分（08:00 截止）"
    assert "签到成功" in only(bot.say("b3", "zhang", "签到", after=timedelta(minutes=45))).text  # 07:55
    assert "08:00 截止" in only(bot.say("b3", "li", "签到", after=timedelta(minutes=10))).text
    bot.close()


def test_an_evening_reminder_is_held_overnight_but_the_echo_is_not(db_url):
    bot = bot_at(db_url, datetime.fromisoformat("2026-11-23T22:30:00+08:00"))
    echo = only(bot.say("b3", "bl3", "#提醒 今晚11点 关闭楼道灯"))
    assert echo.at.hour == 22
    assert "在免打扰时段，07:00 发出" in echo.text
    assert [(s.at.day, s.at.hour, s.text) for s in bot.advance(timedelta(hours=12))] == [
        (24, 7, "【提醒】关闭楼道灯")]
    bot.close()


def test_quiet_hours_follow_the_config(db_url):
    bot = bot_at(db_url, quiet_hours=QuietHours(start=time(21), end=time(8)))
    bot.say("b3", "bl3", "#提醒 今晚9点半 收衣服")
    assert [(s.at.day, s.at.hour) for s in bot.advance(timedelta(days=1))] == [(24, 8)]
    bot.close()


def test_quiet_hours_release_time():
    quiet = QuietHours()
    evening = datetime.fromisoformat("2026-11-23T23:15:00+08:00")
    assert quiet.release(evening) == datetime.fromisoformat("2026-11-24T07:00:00+08:00")
    assert quiet.release(evening.replace(day=24, hour=6)) == datetime.fromisoformat("2026-11-24T07:00:00+08:00")
    assert quiet.release(evening.replace(hour=7)) == evening.replace(hour=7)
    day = QuietHours(start=time(12), end=time(14))
    assert day.release(evening.replace(hour=13)) == evening.replace(hour=14, minute=0)


# -- holidays ------------------------------------------------------------------------------

HOLIDAYS = {"holidays": ["2026-11-28", "2026-12-24..2026-12-26"]}


def test_a_recurring_reminder_skips_holidays_by_default_and_logs_it(db_url, caplog):
    bot = bot_at(db_url, reminders=HOLIDAYS)
    echo = only(bot.say("lead", "staff1", CLEAN_UP)).text
    assert "每周六 08:00（遇节假日不发）" in echo
    assert "接下来：11月28日(周六) 08:00（节假日，不发）、12月5日(周六) 08:00、12月12日(周六) 08:00" in echo
    with caplog.at_level(logging.INFO, logger="handlers.reminders"):
        assert bot.advance(to=SATURDAY_8 + timedelta(hours=1)) == []
    assert "reminder 1: 2026-11-28T08:00:00+08:00 is a holiday; skipped" in caplog.text
    assert count(bot, ReminderOccurrence) == 0
    assert bot.say("b3", "zhang", "签到") == []
    assert [s.at.day for s in bot.advance(timedelta(days=7))] == [5] * len(RESIDENT_CHATS)
    bot.close()


def test_holiday_ranges_and_a_reminder_that_keeps_to_holidays(db_url):
    bot = bot_at(db_url, datetime.fromisoformat("2026-12-23T09:00:00+08:00"), reminders=HOLIDAYS)
    bot.say("b3", "bl3", "#提醒 每天早上8点 开门迎检")
    bot.say("b3", "bl3", "#提醒 每天早上8点半 喂流浪猫 节假日照常")
    echo = only(bot.say("b3", "bl3", "#提醒 12月25日上午10点 圣诞义卖")).text
    assert "节假日" not in echo
    sent = bot.advance(to=datetime.fromisoformat("2026-12-28T00:00:00+08:00"))
    assert [(s.at.day, s.text) for s in sent if "迎检" in s.text] == [(27, "【提醒】开门迎检")]
    assert [s.at.day for s in sent if "流浪猫" in s.text] == [24, 25, 26, 27]
    assert [s.at.day for s in sent if "义卖" in s.text] == [25]
    bot.close()


def test_a_bad_holiday_range_is_a_config_error(db_url):
    with pytest.raises(ConfigError, match="section `reminders`.*holiday range"):
        bot_at(db_url, reminders={"holidays": ["2026-10-07..2026-10-01"]})


# -- check-in ------------------------------------------------------------------------------

def capture_checkins(bot: TestBot) -> list[dict]:
    seen: list[dict] = []
    bot.runtime.registry.signals.setdefault("checkin.recorded", []).append(lambda ctx, **p: seen.append(p))
    return seen


def test_check_in_is_recorded_once_per_member_and_tells_the_points_feature(db_url):
    bot = bot_at(db_url)
    seen = capture_checkins(bot)
    set_clean_up(bot)
    bot.advance(to=SATURDAY_8)
    assert only(bot.say("b3", "zhang", "签到")).text == "✅ 张阿姨 签到成功（卫生大扫除，第 1 位）"
    assert only(bot.say("b3", "zhang", "签到！")).text == "张阿姨 已经签到过了，不用重复签。"
    assert only(bot.say("b5", "zhang", "已签到")).text == "张阿姨 已经签到过了，不用重复签。"  # another chat, same sending
    assert "第 2 位" in only(bot.say("b3", "li", "我签到了")).text
    with bot.session() as s:
        rows = s.exec(select(ReminderCheckin).order_by(ReminderCheckin.id)).all()
        members = {r.member_id for r in rows}
    assert len(rows) == 2 and len(members) == 2
    assert seen == [{"checkin_id": r.id, "member_id": r.member_id, "reminder_id": 1} for r in rows]
    bot.close()


def test_check_in_outside_the_window_or_in_another_chat_is_not_recorded(db_url):
    bot = bot_at(db_url)
    seen = capture_checkins(bot)
    bot.say("b3", "bl3", "#提醒 每周六早上8点 3栋大扫除 签到2小时")
    assert bot.say("b3", "zhang", "签到") == []  # before anything was sent: plain talk
    bot.advance(to=SATURDAY_8)
    assert bot.say("b5", "zhao", "签到") == []  # 5栋群 was not reminded
    assert bot.say("b3", "zhang", "签到一下吧，大家") == []  # not a check-in
    closed = only(bot.say("b3", "zhang", "签到", after=timedelta(hours=2, minutes=5))).text
    assert closed == "本次签到已于 10:00 截止，下次请早点哦。"
    assert bot.say("b3", "zhang", "签到", after=timedelta(days=1)) == []  # long after: not ours to answer
    assert count(bot, ReminderCheckin) == 0 and seen == []
    bot.close()


def test_a_reminder_without_check_in_opens_no_window(db_url):
    bot = bot_at(db_url)
    bot.say("b3", "bl3", "#提醒 每周六早上8点 3栋大扫除")
    assert "回复 签到" not in only(bot.advance(to=SATURDAY_8)).text
    assert bot.say("b3", "zhang", "签到") == []
    bot.close()


def test_each_sending_has_its_own_check_in(db_url):
    bot = bot_at(db_url)
    bot.say("b3", "bl3", "#提醒 每周六早上8点 3栋大扫除 签到2小时")
    bot.advance(to=SATURDAY_8)
    bot.say("b3", "zhang", "签到")
    bot.advance(to=SATURDAY_8 + timedelta(days=7))
    assert "第 1 位" in only(bot.say("b3", "zhang", "签到")).text
    with bot.session() as s:
        assert len({c.occurrence_id for c in s.exec(select(ReminderCheckin))}) == 2
    bot.close()


def test_check_in_durations_are_read_and_bounded(db_url):
    bot = bot_at(db_url)
    for option, shown in [("签到90分钟", "1小时30分钟"), ("签到半小时", "30分钟"), ("签到两个小时", "2小时"),
                          ("签到1个半小时", "1小时30分钟")]:
        echo = only(bot.say("b3", "bl3", f"#提醒 明天上午9点 义诊 {option}")).text
        assert f"内容：义诊\n签到：每次发出后{shown}内回复“签到”记积分" in echo.replace("\n发到：3栋群", "")
    for option in ("签到5分钟", "签到13小时"):
        refused = only(bot.say("b3", "bl3", f"#提醒 明天上午9点 义诊 {option}")).text
        assert "签到时长要在10分钟到12小时之间" in refused and "例如" in refused
    with bot.session() as s:
        assert [r.checkin_minutes for r in s.exec(select(Reminder).order_by(Reminder.id))] == [90, 30, 120, 90]
    bot.close()


def test_racing_check_ins_by_one_member_record_one(db_url):
    bot = bot_at(db_url)
    set_clean_up(bot)
    bot.advance(to=SATURDAY_8)
    bot.close()
    moment = SATURDAY_8 + timedelta(minutes=10)
    workers = [bot_at(db_url, moment), bot_at(db_url, moment)]
    results = handle_at_once([
        (worker, IncomingMessage("console", "b3", "zhang", "张阿姨", "签到", moment, message_id=f"m{i}"))
        for i, worker in enumerate(workers)
    ])
    answers = sorted(o.text for r in results for o in r)
    assert answers == ["✅ 张阿姨 签到成功（卫生大扫除，第 1 位）", "张阿姨 已经签到过了，不用重复签。"]
    assert count(workers[0], ReminderCheckin) == 1
    for w in workers:
        w.close()


# -- start-up ------------------------------------------------------------------------------

def test_a_job_lost_between_commit_and_scheduling_is_restored_at_start(db_url, caplog):
    bot = bot_at(db_url)
    set_clean_up(bot)
    bot.say("b3", "bl3", "#提醒 每天早上7点半 开门")
    bot.say("b3", "bl3", "#暂停提醒 2")
    scheduler = bot.runtime.scheduler
    # As if the process had died between each commit and the scheduler change after it.
    scheduler.remove("reminder:1")
    scheduler.put("reminder:2", "reminder.send", Recurring("daily", time(7, 30)).trigger(bot.settings.tz),
                  args={"community": "hexie", "reminder_id": 2}, now=bot.now)
    bot.close()
    with caplog.at_level(logging.WARNING, logger="handlers.reminders"):
        restarted = bot_at(db_url, MONDAY + timedelta(hours=1))
    assert "reminder 1 had no scheduled job; scheduled again" in caplog.text
    assert reminder_jobs(restarted) == ["reminder:1"]
    assert [s.at for s in restarted.advance(to=SATURDAY_8)] == [SATURDAY_8] * len(RESIDENT_CHATS)
    restarted.close()


def test_a_one_shot_that_lost_its_job_long_ago_is_marked_done_at_start(db_url):
    bot = bot_at(db_url)
    bot.say("b3", "bl3", "#提醒 明天下午3点 开会")
    bot.runtime.scheduler.remove("reminder:1")
    bot.close()
    restarted = bot_at(db_url, datetime.fromisoformat("2026-11-25T09:00:00+08:00"))
    assert reminder_jobs(restarted) == []
    with restarted.session() as s:
        assert s.get(Reminder, 1).status == ReminderStatus.done
    restarted.close()


def test_start_up_loads_the_time_parser_without_printing(sqlite_url):
    code = (
        "import sys, datetime\n"
        "from bot.config import load_settings\n"
        "from bot.runtime import SimulatedRuntime\n"
        "settings = load_settings('tests/data/community.yaml')\n"
        "start = datetime.datetime.fromisoformat('2026-11-23T09:00:00+08:00')\n"
        f"runtime = SimulatedRuntime(settings, start=start, sink=lambda o: None, database_url={sqlite_url!r})\n"
        "sys.stderr.write('jionlp' in sys.modules and 'loaded' or 'not loaded')\n"
        "runtime.close()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout == ""
    assert done.stderr.endswith("loaded") and not done.stderr.endswith("not loaded")


def test_replay_of_a_reminder_prints_only_the_bots_messages(tmp_path, sqlite_url):
    scenario = tmp_path / "s.jsonl"
    scenario.write_text(
        '{"at": "2026-11-23T09:00:00+08:00", "chat": "b3", "sender": "bl3", "text": "#提醒 明天早上8点 开会"}\n'
        '{"at": "2026-11-24T09:00:00+08:00", "chat": "b3", "sender": "bl3", "text": "#提醒列表"}\n',
        encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "replay", str(scenario), "--config", "tests/data/community.yaml",
         "--db", sqlite_url], cwd=ROOT, capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    assert len(lines) == 3 and all(line.startswith("{") for line in lines)
    assert '"【提醒】开会"' in lines[1]


def test_the_demo_shows_the_saturday_clean_up_firing_with_check_ins():
    import io

    from bot.demo import play

    out = io.StringIO()
    assert play(out) == 0
    lines = out.getvalue().splitlines()
    fired = lines.index("  ↳ 周六 11-28 08:00 [3栋居民群] 共建助手：【提醒】卫生大扫除，请大家带好工具到楼下集合")
    first_check_in = lines.index("周六 11-28 08:03 [3栋居民群] 张阿姨：签到")
    assert fired < first_check_in  # scheduled messages are printed before the next event
    assert lines[first_check_in + 1].endswith("✅ 张阿姨 签到成功（卫生大扫除，第 1 位）")
    assert sum("签到成功" in line for line in lines) >= 5
