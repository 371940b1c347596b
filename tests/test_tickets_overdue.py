"""Overdue tickets on the scheduler (simulated time), the chat's problem list, and the weekly summary lines."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from bot.config import load_settings
from bot.context import Context
from storage.models import Chat, Community
from tests.support.testbot import DATA, START, TestBot, only

LAMP = "#报事 3栋2单元楼道灯坏了"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in the test week (Monday 2026-11-23 is day 23)."""
    return datetime.fromisoformat(f"2026-11-{day:02d}T{hour:02d}:{minute:02d}:00+08:00")


def settings_with(**overdue):
    """The test community with other overdue thresholds in its `tickets` section."""
    return load_settings(DATA / "community.yaml").model_copy(update={"tickets": {"overdue": overdue}})


def history_actions(bot, number=1) -> list[tuple[str, str | None]]:
    found = next(t for t in bot.export()["tickets"] if t["number"] == number)
    return [(h["action"], h["by"]) for h in found["history"]]


def test_the_hourly_check_is_a_job_per_community_kept_across_restarts(db_url):
    bot = TestBot(database_url=db_url)
    job = bot.runtime.scheduler.get("ticket-overdue:hexie")
    assert job is not None and job.kwargs["args"] == {"community": "hexie"}
    next_run = job.next_run_time
    bot.close()
    again = TestBot(database_url=db_url)
    assert [j.id for j in again.runtime.scheduler.jobs() if j.id.startswith("ticket-")] == ["ticket-overdue:hexie"]
    assert again.runtime.scheduler.get("ticket-overdue:hexie").next_run_time == next_run
    again.close()


def test_a_pending_ticket_reminds_the_grid_leader_after_a_day_and_escalates_to_staff_after_three(testbot):
    testbot.say("b3", "zhang", LAMP)  # Monday 09:01
    assert testbot.advance(to=at(24, 9, 30)) == []
    remind = only(testbot.advance(to=at(24, 10, 30)))
    assert (remind.chat, remind.mentions, remind.at) == ("lead", ("gl1",), at(24, 10))
    assert "超过 24 小时还没有受理" in remind.text and "#1【设施维修】3栋2单元楼道灯坏了（已等 24 小时）" in remind.text
    assert testbot.advance(to=at(26, 9, 30)) == []
    escalate = only(testbot.advance(to=at(26, 10, 30)))
    assert escalate.mentions == ("staff1",) and "超过 72 小时还没有受理，请社区工作者督办" in escalate.text
    assert testbot.advance(timedelta(days=2)) == []
    assert history_actions(testbot)[-2:] == [("remind", None), ("escalate", None)]


def test_reminders_are_recorded_so_a_restart_does_not_repeat_them(db_url):
    bot = TestBot(database_url=db_url)
    bot.say("b3", "zhang", LAMP)
    assert len(bot.advance(to=at(24, 10, 30))) == 1
    bot.close()
    again = TestBot(database_url=db_url, start=at(24, 10, 45))
    assert again.advance(to=at(25, 10, 30)) == []
    again.close()


def test_overdue_tickets_due_at_the_same_check_share_one_message_per_leader(testbot):
    testbot.say("b3", "zhang", LAMP)
    testbot.say("b5", "zhao", "#报事 5栋楼下垃圾没人收 臭死了")
    testbot.say("b8", "li", "#报事 8栋电梯坏了 停在6楼不动")
    sent = testbot.advance(to=at(24, 10, 30))
    assert sorted((s.mentions, s.text.count("（已等")) for s in sent) == [(("gl1",), 2), (("gl2",), 1)]


def test_an_assignment_left_alone_for_a_week_asks_the_assignee_where_it_was_assigned(testbot):
    testbot.say("b3", "zhang", LAMP)
    testbot.say("lead", "gl1", "#受理 1")
    testbot.say("b3", "gl1", "#指派 1 @李师傅", mentions=("li",))  # Monday 09:03
    # The accepted report earned its reporter points: Sunday evening brings the weekly points summary.
    assert [s for s in testbot.advance(to=at(30, 9, 30)) if s.outgoing.tag != "points:weekly"] == []
    ask = only(testbot.advance(to=at(30, 10, 30)))
    assert (ask.chat, ask.mentions) == ("b3", ("li",))
    assert "已 7 天没有新进展" in ask.text and "7 天没有更新，处理：李师傅" in ask.text


def test_the_thresholds_come_from_the_config_and_progress_starts_a_new_wait(db_url):
    bot = TestBot(database_url=db_url, settings=settings_with(stale_days=2, remind_hours=5, escalate_hours=30))
    bot.say("b3", "zhang", LAMP)
    assert "超过 5 小时还没有受理" in only(bot.advance(timedelta(hours=6))).text
    bot.say("lead", "gl1", "#受理 1")
    bot.say("lead", "gl1", "#指派 1 环境治理")
    ask = only(bot.advance(timedelta(days=2, hours=1)))
    assert (ask.chat, ask.mentions) == ("lead", ("gl1",)) and "处理：环境治理理事会" in ask.text
    bot.say("lead", "gl1", "#进展 1 理事会周六来清理")
    assert bot.advance(timedelta(days=1)) == []
    assert "已 2 天没有新进展" in only(bot.advance(timedelta(days=1, hours=1))).text
    bot.close()


def test_a_reminder_due_at_night_arrives_with_the_first_check_of_the_morning(db_url):
    bot = TestBot(database_url=db_url, start=at(23, 23, 0))
    bot.say("b3", "zhang", LAMP, after=timedelta(minutes=30))
    assert "新报事 #1" in only(bot.advance(to=at(24, 8))).text  # held for the quiet hours
    remind = only(bot.advance(to=at(25, 12)))
    assert remind.at == at(25, 7) and "#1" in remind.text
    bot.close()


def test_a_reopened_ticket_waits_for_acceptance_again_and_is_reminded_again(testbot):
    testbot.say("b3", "zhang", LAMP)
    testbot.advance(timedelta(days=1, hours=2))
    testbot.say("lead", "gl1", "#受理 1")
    testbot.say("lead", "gl1", "#办结 1 换好了")
    testbot.say("b3", "zhang", "#未解决 1 还是不亮")
    remind = only(testbot.advance(timedelta(days=1, hours=1)))
    assert remind.mentions == ("gl1",) and "#1" in remind.text
    assert [a for a, _ in history_actions(testbot)].count("remind") == 2


def test_resolved_and_rejected_tickets_are_never_overdue(db_url):
    bot = TestBot(database_url=db_url, settings=settings_with(stale_days=1, remind_hours=2, escalate_hours=4))
    bot.say("b3", "zhang", LAMP)
    bot.say("b5", "zhao", "#报事 5栋楼下垃圾没人收 臭死了")
    bot.say("lead", "gl1", "#受理 1")
    bot.say("lead", "gl1", "#办结 1 好了")
    bot.say("lead", "gl1", "#驳回 2 已有物业在处理")
    assert bot.advance(timedelta(days=2)) == []
    bot.close()


# -- the problem list ----------------------------------------------------------------------

def test_the_problem_list_covers_the_chats_scope_grouped_by_category_with_overdue_marked(testbot):
    testbot.say("b3", "zhang", LAMP)
    testbot.say("b3", "li", "#报事 3栋楼下花坛被车压坏了")
    testbot.say("b5", "zhao", "#报事 5栋楼下垃圾没人收 臭死了")
    testbot.say("b8", "li", "#报事 8栋电梯坏了 停在6楼不动")
    testbot.say("b3", "zhao", "#附议 1")
    testbot.advance(timedelta(hours=20))
    testbot.say("b5", "zhao", "#报事 5栋楼道堆满了杂物")
    testbot.say("lead", "gl1", "#驳回 2 属于私人花坛")
    testbot.advance(timedelta(hours=5))
    b3 = only(testbot.say("b3", "zhang", "#问题清单")).text
    assert b3.splitlines() == [
        "3栋群问题清单：待办 1 件，其中超时 1 件（⏰）",
        "【设施维修】1 件",
        "⏰#1 3栋2单元楼道灯坏了（待受理，1人附议）",
    ]
    everything = only(testbot.say("lead", "gl1", "#问题清单")).text.splitlines()
    assert everything[0] == "全社区问题清单：待办 4 件，其中超时 3 件（⏰）"
    assert [line for line in everything if line.startswith("【")] == ["【环境卫生】2 件", "【设施维修】2 件"]
    assert "#5 5栋楼道堆满了杂物（待受理）" in everything
    grid2 = only(testbot.say("grid2", "gl2", "#问题清单")).text
    assert "#4" in grid2 and "#1" not in grid2
    testbot.say("lead", "gl1", "#驳回 1 不是公共区域")
    assert only(testbot.say("b3", "zhang", "#问题清单")).text == "3栋群目前没有待办的报事。"


def test_my_tickets_lists_what_i_reported_and_supported(testbot):
    assert "您还没有报过事" in only(testbot.say("b3", "zhang", "#我的报事")).text
    testbot.say("b3", "zhang", LAMP)
    testbot.say("b5", "zhao", "#报事 5栋楼下垃圾没人收 臭死了")
    testbot.say("b3", "zhang", "#附议 2")
    testbot.say("lead", "gl1", "#受理 1")
    mine = only(testbot.say("b3", "zhang", "#我的报事")).text.splitlines()
    assert mine[:4] == [
        "您报的事（最近 1 件）：",
        "#1【设施维修】3栋2单元楼道灯坏了（已受理）",
        "您附议的事（最近 1 件）：",
        "#2【环境卫生】5栋楼下垃圾没人收 臭死了（待受理）",
    ]


# -- the weekly summary ----------------------------------------------------------------------

def summary_lines(bot, chat_key: str, start: datetime, end: datetime) -> list[str]:
    lines: list[str] = []
    with bot.session() as session:
        community = session.exec(select(Community)).one()
        chat = session.exec(select(Chat).where(Chat.key == chat_key)).one()
        ctx = Context(bot.runtime.services, session, community, bot.now)
        ctx.emit("summary.collect", start=start, end=end, chat=chat, lines=lines)
    return lines


def test_the_weekly_summary_counts_new_resolved_and_satisfaction_for_the_chats_scope(testbot):
    testbot.say("b3", "zhang", LAMP)
    testbot.say("b3", "li", "#报事 3栋楼下花坛被车压坏了")
    testbot.say("b5", "zhao", "#报事 5栋楼下垃圾没人收 臭死了")
    for number in (1, 2, 3):
        testbot.say("lead", "gl1", f"#受理 {number}")
        testbot.say("lead", "gl1", f"#办结 {number} 处理好了")
    testbot.say("b3", "zhang", "#评价 1 5")
    testbot.say("b3", "li", "#评价 2 2")
    testbot.say("b5", "zhao", "#评价 3 4")
    week = (START, START + timedelta(days=7))
    assert summary_lines(testbot, "b3", *week) == ["本周新报事 2 件、办结 2 件、满意率 50%"]
    assert summary_lines(testbot, "all", *week) == ["本周新报事 3 件、办结 3 件、满意率 67%"]
    assert summary_lines(testbot, "b8", *week) == ["本周新报事 0 件、办结 0 件、满意率 暂无评价"]
    assert summary_lines(testbot, "all", START + timedelta(days=7), START + timedelta(days=14)) == [
        "本周新报事 0 件、办结 0 件、满意率 暂无评价"
    ]
