"""Tests for bot.when: Chinese time expressions -> schedules that fire when we say they do."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime, time, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.when import OneShot, Recurring, WhenError, from_spec, parse_when, split_when

SH = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parents[1]


def at(s: str, tz=SH) -> datetime:
    return datetime.strptime(s, "%Y-%m-%d %H:%M").replace(tzinfo=tz)


NOW = at("2026-11-21 10:00")  # Saturday
FRI_EVENING = at("2026-11-20 20:00")
MONTH_END = at("2026-11-30 10:00")  # Monday
YEAR_END = at("2026-12-31 10:00")  # Thursday
JAN_END = at("2027-01-31 10:00")

# (now, expression, expected next fire times); recurring ones list three.
CASES = [
    # one-shots from Saturday 2026-11-21 10:00
    (NOW, "周五18:00", ["2026-11-27 18:00"]),  # jionlp: this week's (past) Friday
    (NOW, "下周三晚上7点", ["2026-11-25 19:00"]),
    (NOW, "明天中午", ["2026-11-22 12:00"]),
    (NOW, "明天早上", ["2026-11-22 08:00"]),
    (NOW, "明天下午", ["2026-11-22 15:00"]),
    (NOW, "明天晚上", ["2026-11-22 19:00"]),
    (NOW, "今天下午3点", ["2026-11-21 15:00"]),
    (NOW, "今晚", ["2026-11-21 19:00"]),  # jionlp: the whole day
    (NOW, "今晚8点", ["2026-11-21 20:00"]),
    (NOW, "明早8点", ["2026-11-22 08:00"]),  # jionlp: today 08:00
    (NOW, "明晚七点半", ["2026-11-22 19:30"]),
    (NOW, "后天上午十点", ["2026-11-23 10:00"]),
    (NOW, "大后天", ["2026-11-24 09:00"]),
    (NOW, "11月30日", ["2026-11-30 09:00"]),
    (NOW, "十一月三十日下午两点", ["2026-11-30 14:00"]),
    (NOW, "12月1日 9:30", ["2026-12-01 09:30"]),
    (NOW, "１２月１日　９：３０", ["2026-12-01 09:30"]),
    (NOW, "2026年12月24日晚上7点", ["2026-12-24 19:00"]),
    (NOW, "二〇二六年十二月二十四日晚上七点三十分", ["2026-12-24 19:30"]),
    (NOW, "明年1月5日上午9点半", ["2027-01-05 09:30"]),
    (NOW, "1月5日", ["2027-01-05 09:00"]),
    (NOW, "12号", ["2026-12-12 09:00"]),
    (NOW, "下个月3号", ["2026-12-03 09:00"]),
    (NOW, "3天后", ["2026-11-24 09:00"]),
    (NOW, "3天以后", ["2026-11-24 09:00"]),
    (NOW, "一周后", ["2026-11-28 09:00"]),  # jionlp: the whole next week
    (NOW, "1个月后", ["2026-12-21 09:00"]),
    (NOW, "半小时后", ["2026-11-21 10:30"]),
    (NOW, "2小时后", ["2026-11-21 12:00"]),
    (NOW, "十分钟以后", ["2026-11-21 10:10"]),
    (NOW, "周六", ["2026-11-28 09:00"]),  # today, but 09:00 has passed
    (NOW, "周六晚上8点", ["2026-11-21 20:00"]),  # today, still ahead
    (NOW, "周六早上8点", ["2026-11-28 08:00"]),
    (NOW, "周日", ["2026-11-22 09:00"]),
    (NOW, "星期一下午3点", ["2026-11-23 15:00"]),
    (NOW, "下下周一", ["2026-11-30 09:00"]),
    (NOW, "8点", ["2026-11-22 08:00"]),
    (NOW, "早上", ["2026-11-22 08:00"]),
    (NOW, "早上八点一刻", ["2026-11-22 08:15"]),
    (NOW, "晚上8点", ["2026-11-21 20:00"]),
    (NOW, "3点", ["2026-11-21 15:00"]),  # bare 1-6 点 = afternoon
    (NOW, "下午两点半", ["2026-11-21 14:30"]),
    (NOW, "明天凌晨3点", ["2026-11-22 03:00"]),
    (NOW, "明天 下午3点", ["2026-11-22 15:00"]),
    (NOW, "周五18:00前", ["2026-11-27 18:00"]),
    # recurring from Saturday 2026-11-21 10:00
    (NOW, "每天", ["2026-11-22 09:00", "2026-11-23 09:00", "2026-11-24 09:00"]),
    (NOW, "每天早上7点", ["2026-11-22 07:00", "2026-11-23 07:00", "2026-11-24 07:00"]),
    (NOW, "每天晚上", ["2026-11-21 19:00", "2026-11-22 19:00", "2026-11-23 19:00"]),
    (NOW, "每晚8点", ["2026-11-21 20:00", "2026-11-22 20:00", "2026-11-23 20:00"]),
    (NOW, "每日下午3点", ["2026-11-21 15:00", "2026-11-22 15:00", "2026-11-23 15:00"]),
    (NOW, "每周六早上8点", ["2026-11-28 08:00", "2026-12-05 08:00", "2026-12-12 08:00"]),
    (NOW, "每周六 8:00", ["2026-11-28 08:00", "2026-12-05 08:00", "2026-12-12 08:00"]),
    (NOW, "每个星期六上午八点半", ["2026-11-28 08:30", "2026-12-05 08:30", "2026-12-12 08:30"]),
    (NOW, "每周一三五晚上8点", ["2026-11-23 20:00", "2026-11-25 20:00", "2026-11-27 20:00"]),
    (NOW, "每周一、三、五", ["2026-11-23 09:00", "2026-11-25 09:00", "2026-11-27 09:00"]),
    (NOW, "每周二、周四下午3点", ["2026-11-24 15:00", "2026-11-26 15:00", "2026-12-01 15:00"]),
    (NOW, "工作日早上8点半", ["2026-11-23 08:30", "2026-11-24 08:30", "2026-11-25 08:30"]),
    (NOW, "每个工作日", ["2026-11-23 09:00", "2026-11-24 09:00", "2026-11-25 09:00"]),
    (NOW, "每周一至周五早上7点半", ["2026-11-23 07:30", "2026-11-24 07:30", "2026-11-25 07:30"]),
    (NOW, "每周末上午10点", ["2026-11-22 10:00", "2026-11-28 10:00", "2026-11-29 10:00"]),
    (NOW, "每周日晚上8点", ["2026-11-22 20:00", "2026-11-29 20:00", "2026-12-06 20:00"]),
    (NOW, "每星期天", ["2026-11-22 09:00", "2026-11-29 09:00", "2026-12-06 09:00"]),
    (NOW, "每周日三点", ["2026-11-22 15:00", "2026-11-29 15:00", "2026-12-06 15:00"]),
    (NOW, "每月1号", ["2026-12-01 09:00", "2027-01-01 09:00", "2027-02-01 09:00"]),
    (NOW, "每月1号上午9点", ["2026-12-01 09:00", "2027-01-01 09:00", "2027-02-01 09:00"]),
    (NOW, "每月15日", ["2026-12-15 09:00", "2027-01-15 09:00", "2027-02-15 09:00"]),
    (NOW, "每月十五号晚上7点", ["2026-12-15 19:00", "2027-01-15 19:00", "2027-02-15 19:00"]),
    (NOW, "每月31号", ["2026-12-31 09:00", "2027-01-31 09:00", "2027-03-31 09:00"]),
    (NOW, "每隔两天", ["2026-11-22 09:00", "2026-11-24 09:00", "2026-11-26 09:00"]),
    (NOW, "每隔一天", ["2026-11-22 09:00", "2026-11-24 09:00", "2026-11-26 09:00"]),
    (NOW, "每隔3天早上7点", ["2026-11-22 07:00", "2026-11-25 07:00", "2026-11-28 07:00"]),
    (NOW, "每两天下午4点", ["2026-11-21 16:00", "2026-11-23 16:00", "2026-11-25 16:00"]),
    # Friday 20:00
    (FRI_EVENING, "周五18:00", ["2026-11-27 18:00"]),
    (FRI_EVENING, "周五晚上9点", ["2026-11-20 21:00"]),
    (FRI_EVENING, "周六", ["2026-11-21 09:00"]),
    (FRI_EVENING, "8点", ["2026-11-21 08:00"]),
    (FRI_EVENING, "每周五下午6点", ["2026-11-27 18:00", "2026-12-04 18:00", "2026-12-11 18:00"]),
    # month end
    (MONTH_END, "明天", ["2026-12-01 09:00"]),
    (MONTH_END, "1号", ["2026-12-01 09:00"]),
    (MONTH_END, "每月1号", ["2026-12-01 09:00", "2027-01-01 09:00", "2027-02-01 09:00"]),
    (MONTH_END, "每月30号", ["2026-12-30 09:00", "2027-01-30 09:00", "2027-03-30 09:00"]),
    (MONTH_END, "1个月后", ["2026-12-30 09:00"]),
    (JAN_END, "1个月后", ["2027-02-28 09:00"]),
    # year end
    (YEAR_END, "1月5日", ["2027-01-05 09:00"]),
    (YEAR_END, "明天早上8点", ["2027-01-01 08:00"]),
    (YEAR_END, "下周三", ["2027-01-06 09:00"]),
    (YEAR_END, "每周一", ["2027-01-04 09:00", "2027-01-11 09:00", "2027-01-18 09:00"]),
]


@pytest.mark.parametrize(("now", "text", "expected"), CASES, ids=[f"{c[1]}@{c[0]:%m-%d %H:%M}" for c in CASES])
def test_next_fire_times(now: datetime, text: str, expected: list[str]) -> None:
    when = parse_when(text, now=now)
    assert isinstance(when, OneShot if len(expected) == 1 else Recurring)
    assert when.next_fire_times(now, n=3) == [at(e) for e in expected]


def test_case_count() -> None:
    assert len({text for _, text, _ in CASES}) >= 60


def test_relative_offsets_keep_seconds() -> None:
    now = at("2026-11-21 10:00").replace(second=37, microsecond=123)
    assert parse_when("半小时后", now=now) == OneShot(now.replace(minute=30, microsecond=0))


def test_default_time_for_date_only() -> None:
    late = time(23, 59)
    assert parse_when("周五", now=NOW, default_time=late) == OneShot(at("2026-11-27 23:59"))
    assert parse_when("11月30日", now=NOW, default_time=late) == OneShot(at("2026-11-30 23:59"))
    assert parse_when("今天", now=NOW, default_time=late) == OneShot(at("2026-11-21 23:59"))
    assert parse_when("每天", now=NOW, default_time=late) == Recurring("daily", late)


def test_results_follow_nows_timezone() -> None:
    now = at("2026-11-21 10:00", tz=timezone.utc)
    when = parse_when("明天下午3点", now=now)
    assert when == OneShot(at("2026-11-22 15:00", tz=timezone.utc))
    assert when.at.utcoffset().total_seconds() == 0


@pytest.mark.parametrize(("text", "described"), [
    ("每周六早上8点", "每周六 08:00"),
    ("工作日早上7点半", "工作日 07:30"),
    ("每周一三五晚上8点", "每周一、三、五 20:00"),
    ("每周末", "每周末 09:00"),
    ("每天", "每天 09:00"),
    ("每月1号", "每月1日 09:00"),
    ("每隔两天", "每2天 09:00(11月22日起)"),
    ("明天下午3点", "2026年11月22日(周日) 15:00"),
    ("1月5日", "2027年1月5日(周二) 09:00"),
])
def test_describe(text: str, described: str) -> None:
    assert parse_when(text, now=NOW).describe() == described


@pytest.mark.parametrize("text", ["明天下午3点", "半小时后", "每天早上7点", "每周一三五晚上8点",
                                  "工作日早上8点半", "每月15日", "每隔3天早上7点"])
def test_spec_round_trip(text: str) -> None:
    when = parse_when(text, now=NOW)
    spec = json.loads(json.dumps(when.to_spec()))
    back = from_spec(spec)
    assert back == when
    assert type(when).from_spec(spec) == when
    assert back.describe() == when.describe()
    assert back.next_fire_times(NOW) == when.next_fire_times(NOW)


def test_spec_shapes() -> None:
    assert parse_when("每周一三五晚上8点", now=NOW).to_spec() == {
        "kind": "weekly", "time": "20:00", "weekdays": [0, 2, 4]}
    assert parse_when("每隔两天", now=NOW).to_spec() == {
        "kind": "interval", "time": "09:00", "every_days": 2, "start": "2026-11-22"}
    assert parse_when("明天下午3点", now=NOW).to_spec() == {
        "kind": "once", "at": "2026-11-22T15:00:00+08:00", "tz": "Asia/Shanghai"}


@pytest.mark.parametrize("spec", [{}, {"kind": "yearly", "time": "08:00"}, {"kind": "weekly", "time": "08:00"},
                                  {"kind": "monthly", "time": "25:00", "day": 1}, {"kind": "once", "at": "x"},
                                  {"kind": "once", "at": "2026-11-22T15:00:00"}])
def test_bad_specs(spec: dict) -> None:
    with pytest.raises(ValueError):
        from_spec(spec)


def test_trigger_types_and_agreement() -> None:
    expect = {"明天下午3点": DateTrigger, "每天": CronTrigger, "每周六": CronTrigger,
              "每月1号": CronTrigger, "每隔两天": IntervalTrigger}
    for text, kind in expect.items():
        when = parse_when(text, now=NOW)
        trigger = when.trigger(SH)
        assert isinstance(trigger, kind)
        assert trigger.get_next_fire_time(None, NOW) == when.next_fire_times(NOW)[0]
    assert parse_when("明天下午3点", now=NOW).next_fire_times(at("2026-11-23 00:00")) == []


@pytest.mark.parametrize(("text", "expected", "message"), [
    ("每周六早上8点 卫生大扫除，请大家带好工具到楼下集合", "每周六 08:00", "卫生大扫除，请大家带好工具到楼下集合"),
    ("每周六早上8点卫生大扫除", "每周六 08:00", "卫生大扫除"),
    ("每周六早上8点：卫生大扫除", "每周六 08:00", "卫生大扫除"),
    ("明天下午3点 在红色议事厅开板凳会", "2026年11月22日(周日) 15:00", "在红色议事厅开板凳会"),
    ("明天下午3点在红色议事厅开板凳会", "2026年11月22日(周日) 15:00", "在红色议事厅开板凳会"),
    ("明天下午3点，开会", "2026年11月22日(周日) 15:00", "开会"),
    ("  明天下午3点 开会  ", "2026年11月22日(周日) 15:00", "开会"),
    ("明天下午3点 8号楼门口集合", "2026年11月22日(周日) 15:00", "8号楼门口集合"),
    ("明天下午3点 每人带一把扫帚", "2026年11月22日(周日) 15:00", "每人带一把扫帚"),
    ("明早8点，小区门口集合。", "2026年11月22日(周日) 08:00", "小区门口集合。"),
    ("今晚8点开会", "2026年11月21日(周六) 20:00", "开会"),
    ("半小时后 关火", "2026年11月21日(周六) 10:30", "关火"),
    ("周五 18:00 截止收表", "2026年11月27日(周五) 18:00", "截止收表"),
    ("１２月１日　９：３０　开会", "2026年12月1日(周二) 09:30", "开会"),
    ("每周一三五晚上8点 跳广场舞", "每周一、三、五 20:00", "跳广场舞"),
    ("工作日早上8点半打卡", "工作日 08:30", "打卡"),
    ("每月1号上午9点交物业费", "每月1日 09:00", "交物业费"),
    ("每隔两天早上7点浇花", "每2天 07:00(11月22日起)", "浇花"),
    ("每天 8点 吃药", "每天 08:00", "吃药"),
    ("每天 8号楼消杀", "每天 09:00", "8号楼消杀"),
])
def test_split_when(text: str, expected: str, message: str) -> None:
    when, rest = split_when(text, now=NOW)
    assert (when.describe(), rest) == (expected, message)


def test_split_long_message() -> None:
    body = "请大家带好工具到楼下集合。" * 800
    when, rest = split_when("每周六早上8点 " + body, now=NOW)
    assert when == Recurring("weekly", time(8, 0), weekdays=(5,))
    assert rest == body


@pytest.mark.parametrize(("text", "needle"), [
    ("下下下周八", "没看懂时间“下下下周八”"),
    ("昨天下午3点", "已经过去"),
    ("今天上午9点", "已经过去"),
    ("11月21日上午9点", "已经过去"),  # today, already past: not next year
    ("上周五", "已经过去"),
    ("2025年5月1日", "已经过去"),
    ("", "请写上时间"),
    ("   ", "请写上时间"),
    ("😀", "没看懂"),
    ("每年", "暂不支持"),
    ("每周", "暂不支持"),
    ("下周", "没看懂"),
    ("每月45号", "没看懂"),
    ("明天下午3点 开会", "没看懂"),
])
def test_parse_errors(text: str, needle: str) -> None:
    with pytest.raises(WhenError) as err:
        parse_when(text, now=NOW)
    assert needle in str(err.value)
    assert "例如" in str(err.value)


@pytest.mark.parametrize(("text", "needle"), [
    ("明天下午3点", "提醒内容不能为空"),
    ("明天下午3点，。", "提醒内容不能为空"),
    ("每周六早上8点", "提醒内容不能为空"),
    ("在红色议事厅 明天下午3点 开会", "没看懂时间“在红色议事厅”"),
    ("8号楼 明天开会", "没看懂"),
    ("昨天下午3点 开会", "已经过去"),
    ("", "请写上时间"),
])
def test_split_errors(text: str, needle: str) -> None:
    with pytest.raises(WhenError) as err:
        split_when(text, now=NOW)
    assert needle in str(err.value)
    assert "例如" in str(err.value)


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        parse_when("明天", now=datetime(2026, 11, 21, 10, 0))


@pytest.mark.parametrize("text", ["\x00", "\x00明天\x1b下午3点", "明天下午3点\x00开会", "😀" * 50,
                                  "开" * 10_000, "明天下午3点 " + "开会" * 5_000, "8" * 10_000,
                                  "每" * 100, "每周" * 50, "\u200b明天", "１" * 64, "\ud800",
                                  "每月0号", "每隔0天", "每周七", "周五18:00前前前"])
def test_odd_inputs_only_raise_when_error(text: str) -> None:
    for fn in (parse_when, split_when):
        try:
            fn(text, now=NOW)
        except WhenError:
            pass


_ALPHABET = st.sampled_from(list("每周一二三四五六日天月号点半下午晚上早明后今年隔个工作0123456789:： ，、后前😀\x00\n") + ["\u3000"])


@settings(max_examples=150, deadline=None)
@given(st.text(_ALPHABET, max_size=30) | st.text(max_size=30))
def test_fuzz_only_when_error(text: str) -> None:
    for fn in (parse_when, split_when):
        try:
            when = fn(text, now=NOW)
        except WhenError:
            continue
        when = when[0] if isinstance(when, tuple) else when
        when.describe()
        assert from_spec(json.loads(json.dumps(when.to_spec()))) == when


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)


def test_import_prints_nothing_and_loads_no_jionlp() -> None:
    done = _run("import sys, bot.when; sys.stderr.write(str(sorted(m for m in ('jionlp', 'apscheduler', 'cn2an') if m in sys.modules)))")
    assert done.stdout == ""
    assert done.stderr == "[]"


def test_first_parse_prints_nothing_and_leaves_logging_alone() -> None:
    done = _run(
        "import logging, datetime, zoneinfo, bot.when as w\n"
        "now = datetime.datetime(2026, 11, 21, 10, tzinfo=zoneinfo.ZoneInfo('Asia/Shanghai'))\n"
        "w.split_when('明天下午3点 每周一三五晚上8点都开会', now=now)\n"
        "w.parse_when('每周一三五晚上8点', now=now)\n"
        "for text in ('每年6.', '每年6月 开会'):  # jionlp logging.error()s on these\n"
        "    try: w.split_when(text, now=now)\n"
        "    except w.WhenError: pass\n"
        "print('ok', logging.root.handlers)\n")
    assert done.stdout == "ok []\n"
    assert "jionlp" not in done.stderr and "Traceback" not in done.stderr


def test_recurring_validates() -> None:
    with pytest.raises(ValueError):
        Recurring("weekly", time(8))
    with pytest.raises(ValueError):
        Recurring("interval", time(8), every_days=2)
    assert Recurring("interval", time(8), every_days=2, start=date(2026, 11, 22)).describe() == "每2天 08:00(11月22日起)"
