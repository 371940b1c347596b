"""Chinese time expressions end to end through #提醒: the echo, the stored job and the actual sends.

tests/test_when.py checks the parser alone from a Saturday; these go through the command,
with a message and options after the time, from a fixed Monday morning, and let simulated
time run until the reminder has really been sent at each expected time.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.support.testbot import TestBot, only

NOW = datetime.fromisoformat("2026-11-23T09:30:00+08:00")  # Monday
WEEKDAYS = "一二三四五六日"


def at(text: str) -> datetime:
    """'11-24 15:00' in 2026, or a full '2027-01-01 09:00'."""
    full = text if len(text) > 11 else f"2026-{text}"
    return datetime.fromisoformat(f"{full}:00+08:00")


def shown(moment: datetime, *, with_year: bool = False) -> str:
    """How the echo writes a time: 11月24日(周二) 15:00 (with the year if asked, or not this year's)."""
    year = f"{moment.year}年" if with_year or moment.year != NOW.year else ""
    return f"{year}{moment.month}月{moment.day}日(周{WEEKDAYS[moment.weekday()]}) {moment:%H:%M}"


# (what follows "#提醒 ", expected fire times: one for a one-shot, the next three for a recurring one)
CASES = [
    # one-shots
    ("明天下午3点 开会", ["11-24 15:00"]),
    ("今天下午4点 取快递", ["11-23 16:00"]),
    ("今晚8点 开业主大会", ["11-23 20:00"]),
    ("明早7点半 小区门口集合", ["11-24 07:30"]),
    ("后天上午10点 量血压", ["11-25 10:00"]),
    ("周三晚上7点 在红色议事厅开板凳会", ["11-25 19:00"]),
    ("星期五下午两点 交材料", ["11-27 14:00"]),
    ("礼拜六早上8点 义诊", ["11-28 08:00"]),
    ("周日上午九点半 理发志愿服务", ["11-29 09:30"]),
    ("下周一上午9点 入户走访", ["11-30 09:00"]),
    ("11月28日上午8点 集中清运垃圾", ["11-28 08:00"]),
    ("12月1日 交物业费", ["12-01 09:00"]),
    ("2026年12月31日晚上8点 跨年联欢", ["12-31 20:00"]),
    ("十二月一日上午九点 消防演练", ["12-01 09:00"]),
    ("3天后 回访", ["11-26 09:00"]),
    ("2小时后 关火", ["11-23 11:30"]),
    ("45分钟后 收衣服", ["11-23 10:15"]),
    ("一个半小时后 接孩子", ["11-23 11:00"]),
    ("10点 开会", ["11-23 10:00"]),
    ("8点 开会", ["11-24 08:00"]),  # already past today: tomorrow
    ("下午3点 开会", ["11-23 15:00"]),
    ("晚上 巡逻", ["11-23 19:00"]),
    ("明天中午12点 送餐", ["11-24 12:00"]),
    ("30号 缴费截止", ["11-30 09:00"]),
    ("下个月5号 换届选举", ["12-05 09:00"]),
    ("一周后 复查", ["11-30 09:00"]),
    ("周一 例会", ["11-30 09:00"]),  # today's 09:00 has passed: next Monday
    ("周五18:00前 交报名表", ["11-27 18:00"]),
    ("明天 下午3点 开会", ["11-24 15:00"]),
    ("今天晚上七点一刻 跳广场舞", ["11-23 19:15"]),
    ("后天傍晚 收被子", ["11-25 18:00"]),
    ("本周六上午9点 义剪", ["11-28 09:00"]),
    ("明天下午3点 8号楼门口集合", ["11-24 15:00"]),
    ("明天下午3点 开会 发到 本群", ["11-24 15:00"]),
    # recurring
    ("每天早上7点 吃药", ["11-24 07:00", "11-25 07:00", "11-26 07:00"]),
    ("每天下午5点半 接孩子", ["11-23 17:30", "11-24 17:30", "11-25 17:30"]),
    ("每晚9点 关好单元门", ["11-23 21:00", "11-24 21:00", "11-25 21:00"]),
    ("每日中午 给独居老人送餐", ["11-23 12:00", "11-24 12:00", "11-25 12:00"]),
    ("每天 巡查", ["11-24 09:00", "11-25 09:00", "11-26 09:00"]),
    ("每周六早上8点 卫生大扫除，请大家带好工具到楼下集合", ["11-28 08:00", "12-05 08:00", "12-12 08:00"]),
    ("每周六早上8点 卫生大扫除 签到2小时", ["11-28 08:00", "12-05 08:00", "12-12 08:00"]),
    ("每周六上午8:30 义务劳动", ["11-28 08:30", "12-05 08:30", "12-12 08:30"]),
    ("每周一三五下午3点 跳广场舞", ["11-23 15:00", "11-25 15:00", "11-27 15:00"]),
    ("工作日早上8点 值班", ["11-24 08:00", "11-25 08:00", "11-26 08:00"]),
    ("每个工作日下午6点 锁活动室", ["11-23 18:00", "11-24 18:00", "11-25 18:00"]),
    ("每周一至周五晚上7点 巡逻", ["11-23 19:00", "11-24 19:00", "11-25 19:00"]),
    ("每周末上午9点 义诊", ["11-28 09:00", "11-29 09:00", "12-05 09:00"]),
    ("每周五下午 红色周五环境整治", ["11-27 15:00", "12-04 15:00", "12-11 15:00"]),
    ("每周二、周四晚上8点 合唱排练", ["11-24 20:00", "11-26 20:00", "12-01 20:00"]),
    ("每星期日上午10点 读书会", ["11-29 10:00", "12-06 10:00", "12-13 10:00"]),
    ("每周三 19:30 党小组学习", ["11-25 19:30", "12-02 19:30", "12-09 19:30"]),
    ("每月1号 交物业费", ["12-01 09:00", "2027-01-01 09:00", "2027-02-01 09:00"]),
    ("每月15号晚上7点 业委会例会", ["12-15 19:00", "2027-01-15 19:00", "2027-02-15 19:00"]),
    ("每月二十号上午10点 公示收支", ["12-20 10:00", "2027-01-20 10:00", "2027-02-20 10:00"]),
    ("每隔两天早上7点 浇花", ["11-24 07:00", "11-26 07:00", "11-28 07:00"]),
    ("每三天下午4点 检查灭火器", ["11-23 16:00", "11-26 16:00", "11-29 16:00"]),
    ("每周六早上8点 大扫除 节假日照常 发到 3栋群", ["11-28 08:00", "12-05 08:00", "12-12 08:00"]),
]
# Fire times inside quiet hours (22:00-07:00) are delivered when they end.
QUIET = [
    ("每天晚上10点半 关好单元门", ["11-23 22:30", "11-24 22:30", "11-25 22:30"],
     ["11-24 07:00", "11-25 07:00", "11-26 07:00"]),
    ("明天凌晨5点 抢修停水", ["11-24 05:00"], ["11-24 07:00"]),
]


def test_there_are_at_least_forty_expressions():
    assert len({text for text, _ in CASES}) + len(QUIET) >= 40


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[t for t, _ in CASES])
def test_expression_through_the_command(db_url, text, expected):
    times = [at(t) for t in expected]
    _check(db_url, text, times, delivered=times)


@pytest.mark.parametrize(("text", "expected", "delivered"), QUIET, ids=[t for t, _, _ in QUIET])
def test_expression_in_quiet_hours(db_url, text, expected, delivered):
    _check(db_url, text, [at(t) for t in expected], delivered=[at(t) for t in delivered])


def _check(db_url: str, text: str, times: list[datetime], *, delivered: list[datetime]) -> None:
    bot = TestBot(database_url=db_url, start=NOW)
    try:
        echo = only(bot.say("b3", "bl3", f"#提醒 {text}", after=timedelta(0))).text
        assert echo.startswith("好的，已设提醒 1："), echo
        if len(times) == 1:
            assert echo.splitlines()[0].endswith(shown(times[0], with_year=True))
        else:
            upcoming = next(line for line in echo.splitlines() if line.startswith("接下来："))
            assert [part.split("（")[0] for part in upcoming.removeprefix("接下来：").split("、")] == \
                [shown(t) for t in times]
        assert bot.runtime.scheduler.get("reminder:1").next_run_time == times[0]
        assert bot.advance(to=delivered[0] - timedelta(minutes=1)) == []
        sent = bot.advance(to=delivered[-1])
        assert [(s.at, s.chat) for s in sent] == [(t, "b3") for t in delivered]
        assert all(s.text.startswith("【提醒】") for s in sent)
    finally:
        bot.close()
