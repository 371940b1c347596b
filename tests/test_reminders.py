"""#提醒 and friends: what is echoed, who may send where, limits, list/cancel/pause/resume, export."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from sqlmodel import func, select

from bot.events import IncomingMessage
from bot.export import export_tables, write_csv
from storage.models import Reminder, ReminderChat, ReminderStatus
from tests.support.race import handle_at_once
from tests.support.testbot import TestBot, only, texts

SATURDAY_8 = datetime.fromisoformat("2026-11-28T08:00:00+08:00")


def reminders(bot: TestBot) -> list[tuple[int, str, list[str]]]:
    """(id, status, target chat keys) of every stored reminder."""
    with bot.session() as s:
        rows = s.exec(select(Reminder).order_by(Reminder.id)).all()
        return [(r.id, r.status, [c.key for c in _targets(s, r.id)]) for r in rows]


def _targets(s, reminder_id):
    from storage.repo.reminders import target_chats

    return target_chats(s, reminder_id=reminder_id)


def jobs(bot: TestBot) -> list[str]:
    """The reminder jobs (other features keep periodic jobs of their own)."""
    return sorted(j.id for j in bot.runtime.scheduler.jobs() if j.id.startswith("reminder:"))


# -- the echo ------------------------------------------------------------------------------

def test_the_echo_shows_what_was_understood_and_the_next_three_times(testbot):
    echo = only(testbot.say("b3", "bl3", "#提醒 每周六早上8点 卫生大扫除，请大家带好工具到楼下集合"))
    assert echo.text == (
        "好的，已设提醒 1：每周六 08:00（遇节假日不发）\n"
        "内容：卫生大扫除，请大家带好工具到楼下集合\n"
        "发到：3栋群\n"
        "接下来：11月28日(周六) 08:00、12月5日(周六) 08:00、12月12日(周六) 08:00\n"
        "暂停：#暂停提醒 1　取消：#取消提醒 1"
    )
    assert testbot.runtime.scheduler.get("reminder:1").next_run_time == SATURDAY_8


def test_a_one_shot_is_echoed_with_its_date_and_is_done_once_sent(testbot):
    echo = only(testbot.say("b3", "bl3", "#提醒 明天下午3点 在红色议事厅开板凳会")).text
    assert echo.startswith("好的，已设提醒 1：2026年11月24日(周二) 15:00\n内容：在红色议事厅开板凳会\n")
    assert "接下来" not in echo and "节假日" not in echo
    sent = only(testbot.advance(timedelta(days=2)))
    assert (sent.at.day, sent.at.hour, sent.text) == (24, 15, "【提醒】在红色议事厅开板凳会")
    assert reminders(testbot) == [(1, ReminderStatus.done, ["b3"])] and jobs(testbot) == []


def test_full_width_and_a_mention_of_the_bot_work_too(testbot):
    assert "已设提醒 1" in only(testbot.say("b3", "bl3", "＃提醒　明天下午３点　开会")).text
    assert "已设提醒 2" in only(testbot.say("b3", "bl3", "@共建助手 提醒 明天下午3点 开会")).text
    assert "已设提醒 3" in only(testbot.say("b3", "bl3", "/remind 明天下午3点 开会")).text


def test_words_after_the_message_that_are_not_options_stay_in_it(testbot):
    testbot.say("b3", "bl3", "#提醒 明天上午9点 把照片发到群里")
    testbot.say("b3", "bl3", "#提醒 明天上午9点 结束后记得签到")
    with testbot.session() as s:
        assert [r.text for r in s.exec(select(Reminder).order_by(Reminder.id))] == ["把照片发到群里", "结束后记得签到"]


# -- who may send where --------------------------------------------------------------------

@pytest.mark.parametrize(("chat", "sender", "targets", "expected"), [
    ("lead", "staff1", "全体群", ["all", "b3", "b5", "b8", "grid2"]),
    ("lead", "gl1", "全体群", ["b3", "b5"]),
    ("lead", "gl2", "全体群", ["b8", "grid2"]),
    ("b3", "bl3", "全体群", ["b3"]),
    ("lead", "staff1", "3栋群 5栋群", ["b3", "b5"]),
    ("lead", "staff1", "3栋、b8", ["b3", "b8"]),
    ("lead", "gl2", "第二网格群，8号楼", ["b8", "grid2"]),
    ("lead", "bl5", "5栋群 本群", ["b5", "lead"]),
    ("all", "staff1", "", ["all"]),
    ("lead", "bl3", "", ["lead"]),
])
def test_leaders_send_to_the_chats_of_their_scope(testbot, chat, sender, targets, expected):
    clause = f" 发到 {targets}" if targets else ""
    echo = only(testbot.say(chat, sender, f"#提醒 明天上午9点 开会{clause}"))
    assert echo.chat == chat and "已设提醒 1" in echo.text
    assert reminders(testbot) == [(1, ReminderStatus.active, expected)]
    sent = testbot.advance(timedelta(days=1))
    assert sorted(s.chat for s in sent) == expected and all(s.mentions == () for s in sent)


@pytest.mark.parametrize(("chat", "sender", "targets", "needle"), [
    ("b3", "bl3", "5栋群", "您不能给5栋群设提醒"),
    ("b5", "bl3", "", "您不能给5栋群设提醒"),
    ("all", "gl1", "", "您不能给和谐社区大群设提醒"),
    ("lead", "gl1", "8栋群", "您不能给8栋群设提醒"),
    ("lead", "gl1", "9栋群", "没有叫“9栋群”的群"),
    ("b3", "zhang", "全体群", "只有社区工作者、网格长和楼栋长可以把提醒发到各个群"),
    ("b3", "zhang", "3栋群", "只有社区工作者、网格长和楼栋长可以把提醒发到各个群"),
    ("lead", "staff1", "我 3栋群", "“发到 我”只提醒您自己"),
])
def test_sending_outside_ones_scope_is_refused_and_changes_nothing(testbot, chat, sender, targets, needle):
    clause = f" 发到 {targets}" if targets else ""
    reply = only(testbot.say(chat, sender, f"#提醒 明天上午9点 开会{clause}")).text
    assert needle in reply and "例如" in reply
    assert reminders(testbot) == [] and jobs(testbot) == []


def test_a_residents_reminder_is_for_themselves_with_an_mention(testbot):
    echo = only(testbot.say("b3", "zhang", "#提醒 明天上午9点 去社区医院量血压")).text
    assert "到时在本群@张阿姨" in echo and "发到" not in echo
    sent = only(testbot.advance(timedelta(days=1)))
    assert (sent.chat, sent.mentions, sent.text) == ("b3", ("zhang",), "@张阿姨 【提醒】去社区医院量血压")


def test_a_leader_may_remind_only_themselves_too(testbot):
    echo = only(testbot.say("b5", "bl3", "#提醒 明天上午9点 交材料 发到 我")).text
    assert "到时在本群@陈楼长" in echo
    assert only(testbot.advance(timedelta(days=1))).mentions == ("bl3",)


# -- limits and bad input ------------------------------------------------------------------

@pytest.mark.parametrize(("text", "needle"), [
    ("#提醒", "请写上时间和要提醒的事"),
    ("#提醒 吧啦吧啦 开会", "没看懂时间“吧啦吧啦”"),
    ("#提醒 昨天下午3点 开会", "已经过去了"),
    ("#提醒 今天上午8点 开会", "已经过去了"),
    ("#提醒 明天下午3点", "提醒内容不能为空"),
    ("#提醒 明天下午3点 发到 本群", "提醒内容不能为空"),
    ("#提醒 每年春节 拜年", "暂不支持“每年春节”这样的周期"),
    ("#提醒 明天下午3点 " + "很长的话" * 130, "提醒内容太长了"),
])
def test_bad_input_gets_an_example_and_changes_nothing(testbot, text, needle):
    reply = only(testbot.say("b3", "bl3", text)).text
    assert needle in reply and "例如" in reply
    assert reminders(testbot) == [] and jobs(testbot) == []


def test_at_most_fifty_live_reminders_per_chat(testbot):
    for n in range(50):
        sender = ("bl3", "gl1", "staff1", "zhang", "li")[n % 5]  # two residents' own reminders count too
        testbot.say("b3", sender, f"#提醒 每天早上7点 第{n + 1}件事", after=timedelta(seconds=1))
    testbot.say("b3", "bl3", "#暂停提醒 2")  # paused ones still count
    refused = only(testbot.say("b3", "bl3", "#提醒 明天下午3点 第51件事")).text
    assert refused.startswith("3栋群已有 50 条提醒，到上限了") and "例如：#取消提醒 3" in refused
    refused = only(testbot.say("lead", "staff1", "#提醒 明天下午3点 通知 发到 全体群")).text
    assert refused.startswith("3栋群已有 50 条提醒")
    assert len(reminders(testbot)) == 50 and len(jobs(testbot)) == 49
    testbot.say("b3", "bl3", "#取消提醒 1")
    assert "已设提醒" in only(testbot.say("b3", "bl3", "#提醒 明天下午3点 第51件事")).text
    assert len([r for r in reminders(testbot) if r[1] != ReminderStatus.cancelled]) == 50
    assert "已设提醒" in only(testbot.say("b5", "bl5", "#提醒 明天下午3点 5栋的事")).text


def test_a_member_may_have_at_most_ten_reminders_for_themselves(testbot):
    for n in range(10):
        assert "已设提醒" in only(testbot.say("b3", "zhang", f"#提醒 每天早上7点 第{n + 1}件事")).text
    refused = only(testbot.say("b5", "zhang", "#提醒 明天下午3点 第11件事")).text
    assert refused.startswith("每人最多设 10 条自己的提醒") and "例如" in refused
    testbot.say("b3", "zhang", "#取消提醒 1")
    assert "已设提醒" in only(testbot.say("b5", "zhang", "#提醒 明天下午3点 第11件事")).text


def test_only_leaders_reminders_to_chats_may_open_check_in(testbot):
    for chat, sender, text in [("b3", "zhang", "#提醒 每天早上7点 锻炼 签到1小时"),
                               ("b3", "bl3", "#提醒 每天早上7点 锻炼 签到1小时 发到 我")]:
        refused = only(testbot.say(chat, sender, text)).text
        assert refused.startswith("签到只能用在负责人发到群里的提醒上") and "例如" in refused
    assert reminders(testbot) == []


def test_racing_commands_cannot_pass_the_limit(db_url):
    bots = [TestBot(database_url=db_url), TestBot(database_url=db_url)]
    for n in range(49):
        bots[0].say("b3", "bl3", f"#提醒 每天早上7点 第{n + 1}件事", after=timedelta(seconds=1))
    moment = bots[0].now + timedelta(minutes=1)
    results = handle_at_once([
        (bot, IncomingMessage("console", "b3", "bl3", "陈楼长", f"#提醒 明天下午3点 抢第50个{i}", moment,
                              message_id=f"race-{i}"))
        for i, bot in enumerate(bots)
    ])
    answers = sorted(o.text for r in results for o in r)
    assert len(answers) == 2
    assert answers[0].startswith("3栋群已有 50 条提醒") and answers[1].startswith("好的，已设提醒")
    with bots[0].session() as s:
        assert s.exec(select(func.count()).select_from(ReminderChat)).one() == 50
    for bot in bots:
        bot.close()


# -- list, cancel, pause, resume -----------------------------------------------------------

def test_the_list_shows_this_chats_reminders_and_ones_own(testbot):
    testbot.say("lead", "staff1", "#提醒 每周六早上8点 卫生大扫除 签到2小时 发到 全体群")
    testbot.say("b3", "bl3", "#提醒 周三晚上7点 开板凳会")
    testbot.say("b3", "li", "#提醒 明天上午9点 取药")
    testbot.say("b5", "bl5", "#提醒 明天上午9点 5栋的事")
    testbot.say("b3", "zhang", "#提醒 每天早上7点半 吃降压药")
    testbot.say("b3", "bl3", "#暂停提醒 2")
    listed = only(testbot.say("b3", "zhang", "#提醒列表")).text.splitlines()
    assert listed == [
        "本群的提醒（3）：",
        "1. 每周六 08:00（遇节假日不发）｜卫生大扫除｜发到 和谐社区大群、3栋群、5栋群、8栋群、第二网格群｜签到"
        "｜下次 11月28日(周六) 08:00",
        "2. 2026年11月25日(周三) 19:00｜开板凳会｜已暂停",
        "5. 每天 07:30（遇节假日不发）｜吃降压药｜提醒张阿姨｜下次 11月24日(周二) 07:30",
        "暂停/恢复/取消：#暂停提醒 编号、#恢复提醒 编号、#取消提醒 编号",
    ]
    leader = only(testbot.say("b3", "bl3", "#提醒列表")).text
    assert "3. 2026年11月24日(周二) 09:00｜取药｜提醒李师傅" in leader and "5栋的事" not in leader
    everything = only(testbot.say("lead", "gl1", "#提醒列表 全部")).text
    assert everything.startswith("您负责的群收到的提醒（5）") and "5栋的事" in everything and "卫生大扫除" in everything
    assert only(testbot.say("b8", "gl2", "#提醒列表")).text.startswith("本群的提醒（1）")
    assert only(testbot.say("lead", "bl5", "#提醒列表")).text.splitlines()[1:2] == [
        "4. 2026年11月24日(周二) 09:00｜5栋的事｜发到 5栋群｜下次 11月24日(周二) 09:00"]


def test_cancel_stops_a_reminder_for_good(testbot):
    testbot.say("b3", "bl3", "#提醒 每天早上7点 开门")
    assert only(testbot.say("b3", "bl3", "#取消提醒 1")).text == "已取消提醒 1：每天 07:00（遇节假日不发） 开门"
    assert testbot.advance(timedelta(days=3)) == []
    assert reminders(testbot) == [(1, ReminderStatus.cancelled, ["b3"])] and jobs(testbot) == []
    assert "提醒 1 已经取消了" in only(testbot.say("b3", "bl3", "#取消提醒 1")).text
    assert "目前没有提醒" in only(testbot.say("b3", "bl3", "#提醒列表")).text


def test_pause_and_resume(testbot):
    testbot.say("b3", "bl3", "#提醒 每天早上7点 开门")
    assert "已暂停提醒 1" in only(testbot.say("b3", "bl3", "#暂停提醒 1")).text
    assert "已经是暂停状态" in only(testbot.say("b3", "bl3", "#暂停提醒 1")).text
    assert testbot.advance(timedelta(days=2)) == []  # Tuesday and Wednesday 07:00 pass in silence
    resumed = only(testbot.say("b3", "bl3", "#恢复提醒 1")).text
    assert resumed == "已恢复提醒 1，下次：11月26日(周四) 07:00"
    assert "没有暂停" in only(testbot.say("b3", "bl3", "#恢复提醒 1")).text
    assert [(s.at.day, s.at.hour) for s in testbot.advance(timedelta(days=2))] == [(26, 7), (27, 7)]


def test_a_paused_one_shot_whose_time_passed_cannot_be_resumed(testbot):
    testbot.say("b3", "bl3", "#提醒 明天下午3点 开会")
    testbot.say("b3", "bl3", "#暂停提醒 1")
    testbot.advance(timedelta(days=2))
    reply = only(testbot.say("b3", "bl3", "#恢复提醒 1")).text
    assert "时间已经过了，无法恢复" in reply and "例如" in reply
    assert reminders(testbot) == [(1, ReminderStatus.paused, ["b3"])]


def test_who_may_cancel_pause_and_resume(testbot):
    testbot.say("b3", "zhang", "#提醒 每天早上7点 吃药")
    testbot.say("lead", "staff1", "#提醒 每周六早上8点 大扫除 发到 全体群")
    refused = only(testbot.say("b3", "li", "#取消提醒 1")).text
    assert refused.startswith("只有设这条提醒的张阿姨，或负责它所发各群的负责人，可以取消提醒 1")
    assert "只有" in only(testbot.say("b5", "bl5", "#暂停提醒 1")).text
    assert "只有" in only(testbot.say("lead", "gl1", "#暂停提醒 2")).text  # not every chat is his
    assert "只有" in only(testbot.say("b3", "bl3", "#取消提醒 2")).text
    assert "已暂停提醒 1" in only(testbot.say("b3", "bl3", "#暂停提醒 1")).text  # 3栋's leader
    assert "已恢复提醒 1" in only(testbot.say("b3", "zhang", "#恢复提醒 1")).text  # the creator
    assert "已暂停提醒 2" in only(testbot.say("lead", "staff1", "#暂停提醒 2")).text
    assert [status for _, status, _ in reminders(testbot)] == [ReminderStatus.active, ReminderStatus.paused]


def test_unknown_or_malformed_numbers_and_quoting_the_reminder(testbot):
    assert "没有编号为 9 的提醒" in only(testbot.say("b3", "bl3", "#取消提醒 9")).text
    assert "“abc”不是提醒编号" in only(testbot.say("b3", "bl3", "#取消提醒 abc")).text
    assert "请写明提醒编号" in only(testbot.say("b3", "bl3", "#取消提醒")).text
    testbot.say("b3", "bl3", "#提醒 每天早上7点 开门")
    fired = only(testbot.advance(timedelta(days=1)))
    assert "已暂停提醒 1" in only(testbot.say("b3", "bl3", "#暂停提醒", reply_to=fired)).text
    assert "已取消提醒 1" in only(testbot.say("b3", "bl3", "#取消提醒 ＃１")).text


def test_a_reminder_cancelled_just_as_it_fires_sends_nothing(testbot):
    testbot.say("b3", "bl3", "#提醒 每天早上7点 开门")
    job = testbot.runtime.scheduler.get("reminder:1")
    testbot.say("b3", "bl3", "#取消提醒 1")
    late = testbot.runtime.dispatcher.run_job(job.id, "reminder.send", job.kwargs["args"], job.next_run_time, False)
    assert late == []


# -- export --------------------------------------------------------------------------------

def test_export_lists_live_reminders_with_a_stable_shape(testbot):
    testbot.say("lead", "staff1", "#提醒 每周六早上8点 卫生大扫除 签到2小时 发到 全体群")
    testbot.say("b3", "bl3", "#提醒 每周一三五晚上8点 跳广场舞")
    testbot.say("b3", "bl3", "#提醒 明天下午3点 开会")
    testbot.say("b3", "bl3", "#暂停提醒 2")
    testbot.say("b3", "bl3", "#提醒 后天下午3点 取消的会")
    testbot.say("b3", "bl3", "#取消提醒 4")
    testbot.advance(timedelta(days=1, hours=7))  # the one-shot is sent on Tuesday 15:00
    exported = testbot.export()["reminders"]
    assert [set(r) for r in exported] == [{"id", "text", "schedule", "chats", "next_fire_at", "paused"}] * 2
    assert exported == [
        {"id": 1, "text": "卫生大扫除",
         "schedule": {"spec": {"kind": "weekly", "time": "08:00", "weekdays": [5]}, "description": "每周六 08:00"},
         "chats": ["all", "b3", "b5", "b8", "grid2"], "next_fire_at": "2026-11-28T08:00:00+08:00", "paused": False},
        {"id": 2, "text": "跳广场舞",
         "schedule": {"spec": {"kind": "weekly", "time": "20:00", "weekdays": [0, 2, 4]},
                      "description": "每周一、三、五 20:00"},
         "chats": ["b3"], "next_fire_at": None, "paused": True},
    ]


def test_tables_for_the_office(testbot):
    testbot.say("lead", "staff1", "#提醒 每周六早上8点 卫生大扫除 签到2小时 发到 3栋群 5栋群")
    testbot.advance(to=SATURDAY_8)
    testbot.say("b3", "zhang", "签到")
    testbot.say("b5", "zhao", "签到")
    with testbot.session() as s:
        tables = {name: (title, headers, rows)
                  for name, title, headers, rows in export_tables(s, registry=testbot.runtime.registry,
                                                                  tz=testbot.settings.tz)}
    title, headers, rows = tables["reminders"]
    assert title == "提醒"
    assert dict(zip(headers, rows[0])) == {
        "编号": 1, "状态": "进行中", "时间": "每周六 08:00（遇节假日不发）", "内容": "卫生大扫除", "发到": "3栋群、5栋群",
        "设置人": "杨书记", "签到时长": "2小时", "签到人次": 2, "下次": "2026-12-05 08:00", "设置于": "2026-11-23 09:01",
    }
    title, headers, rows = tables["reminder_checkins"]
    assert title == "签到记录"
    assert [r[3:5] for r in rows] == [["张阿姨", "3栋群"], ["赵大爷", "5栋群"]]
    out = io.StringIO()
    write_csv(out, headers, rows)
    assert list(csv.reader(io.StringIO(out.getvalue())))[1][:3] == ["1", "卫生大扫除", "2026-11-28 08:00"]


def test_help_lists_the_reminder_commands(testbot):
    helped = only(testbot.say("b3", "zhang", "#帮助")).text
    assert "【提醒】" in helped and "#提醒列表" in helped and "#取消提醒" in helped
    assert "签到2小时" in only(testbot.say("b3", "zhang", "#帮助 提醒")).text
    assert texts(testbot.say("b3", "zhang", "#帮助 提醒列表"))[0].startswith("#提醒列表：")
