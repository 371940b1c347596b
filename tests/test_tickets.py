"""Tickets from report to rating: the lifecycle, who may do what, bad input, history and numbering."""
from __future__ import annotations

import io
import re
import threading
from pathlib import Path

import pytest
from sqlmodel import select

from bot.config import ConfigError, load_settings
from bot.demo import play
from bot.events import IncomingMessage
from handlers.tickets.config import TicketsConfig
from storage.db import make_engine, session_scope
from storage.models import Community, Member, Ticket
from storage.repo import tickets as tickets_repo
from tests.support.testbot import DATA, TestBot, only

LAMP = "#报事 3栋2单元楼道灯坏了"


def in_chat(sent, chat):
    return [s for s in sent if s.chat == chat]


def one_in(sent, chat):
    return only(in_chat(sent, chat))


def ticket(bot, number=1) -> dict:
    return next(t for t in bot.export()["tickets"] if t["number"] == number)


def test_a_report_travels_from_the_building_chat_to_a_rated_resolution(testbot):
    sent = testbot.say("b3", "zhang", LAMP)
    confirm, announce = one_in(sent, "b3"), one_in(sent, "lead")
    assert confirm.text.startswith("已登记 #1【设施维修】3栋2单元楼道灯坏了")
    assert announce.mentions == ("gl1",)
    assert "报事人：张阿姨（3栋群）" in announce.text and announce.text.endswith("回复 1 受理\n回复 2 驳回")

    sent = testbot.say("lead", "gl1", "1")
    told = one_in(sent, "b3")
    assert told.mentions == ("zhang",) and "刘网格长已受理" in told.text
    assert "已受理 #1" in one_in(sent, "lead").text

    sent = testbot.say("lead", "gl1", "#指派 1 @陈楼长 今天去看看", mentions=("bl3",))
    assert "已交给陈楼长处理" in one_in(sent, "b3").text
    order = one_in(sent, "lead")
    assert order.mentions == ("bl3",) and "说明：今天去看看" in order.text

    progress = only(testbot.say("b3", "bl3", "#进展 1 已联系电工，明天上午换灯"))
    assert progress.mentions == ("zhang",) and "有新进展（陈楼长）：已联系电工，明天上午换灯" in progress.text

    sent = testbot.say("lead", "gl1", "#办结 1 换成了声控灯")
    done = one_in(sent, "b3")
    assert done.mentions == ("zhang",) and "已办结：换成了声控灯" in done.text
    assert "回复 5 5分 非常满意" in done.text and "回复 6 没解决" in done.text
    assert "已请报事人评价" in one_in(sent, "lead").text

    assert "得 5 分" in only(testbot.say("b3", "zhang", "5")).text
    stored = ticket(testbot)
    assert (stored["status"], stored["rating"], stored["assignee"]) == ("rated", 5, "bl3")
    assert [(h["action"], h["by"], h["from"], h["to"]) for h in stored["history"]] == [
        ("report", "zhang", None, "pending"),
        ("accept", "gl1", "pending", "accepted"),
        ("assign", "gl1", "accepted", "in_progress"),
        ("progress", "bl3", "in_progress", "in_progress"),
        ("resolve", "gl1", "in_progress", "resolved"),
        ("rate", "zhang", "resolved", "rated"),
    ]
    assert stored["history"][3]["note"] == "已联系电工，明天上午换灯"
    assert stored["history"][0]["at"] == "2026-11-23T09:01:00+08:00"


def test_accepting_emits_ticket_accepted_once(testbot):
    heard = []
    testbot.runtime.registry.signals.setdefault("ticket.accepted", []).append(
        lambda ctx, **payload: heard.append(payload)
    )
    testbot.say("b3", "zhang", LAMP)
    testbot.say("lead", "gl1", "#受理 1")
    with testbot.session() as s:
        ticket_id = s.exec(select(Ticket)).one().id
        zhang, gl1 = (s.exec(select(Member).where(Member.key == key)).one().id for key in ("zhang", "gl1"))
    assert heard == [{"ticket_id": ticket_id, "reporter_id": zhang, "by_id": gl1}]
    testbot.say("lead", "gl1", "#指派 1 环境治理")
    testbot.say("lead", "gl1", "#办结 1 修好了")
    testbot.say("b3", "zhang", "#未解决 1 还是不亮")
    assert "已受理" in one_in(testbot.say("lead", "gl1", "#受理 1"), "b3").text
    assert len(heard) == 1


def test_a_ticket_can_be_assigned_to_a_council_by_its_short_name(testbot):
    testbot.say("b3", "zhang", LAMP)
    testbot.say("lead", "gl1", "#受理 1")
    refused = only(testbot.say("lead", "gl1", "#指派 1 物业公司")).text
    assert "请 @ 要指派的人，或写理事会的名字：事务监督理事会、" in refused and "用法：#指派" in refused
    sent = testbot.say("lead", "gl1", "#指派 1 环境治理")
    assert "已交给环境治理理事会处理" in one_in(sent, "b3").text
    assert ticket(testbot)["assignee"] == "环境治理理事会"


def test_rejecting_needs_a_reason_and_the_reporter_reads_it(testbot):
    testbot.say("b3", "zhang", LAMP)
    asked = only(testbot.say("lead", "gl1", "2")).text
    assert asked == "请发送 #驳回 1 原因，原因会告诉报事人。"
    assert ticket(testbot)["status"] == "pending"
    assert "请写明驳回的原因" in only(testbot.say("lead", "gl1", "#驳回 1")).text
    sent = testbot.say("lead", "gl1", "#驳回 1 是您家里的灯，请联系物业有偿维修")
    told = one_in(sent, "b3")
    assert told.mentions == ("zhang",) and "原因：是您家里的灯，请联系物业有偿维修" in told.text
    assert ticket(testbot)["status"] == "rejected"
    assert "不能受理" in only(testbot.say("lead", "gl1", "#受理 1")).text


def test_the_reporter_reopens_what_is_not_fixed_and_leaders_are_told(testbot):
    testbot.say("b3", "zhang", LAMP)
    testbot.say("lead", "gl1", "#受理 1")
    testbot.say("lead", "gl1", "#指派 1 @陈楼长", mentions=("bl3",))
    testbot.say("lead", "gl1", "#办结 1 换了灯泡")
    sent = testbot.say("b3", "zhang", "6")
    assert "#1 报事人说问题没解决，已重新打开" in one_in(sent, "b3").text
    alert = one_in(sent, "lead")
    assert alert.mentions == ("gl1", "bl3") and "报事人说问题没解决" in alert.text
    assert ticket(testbot)["status"] == "reopened"
    testbot.say("lead", "gl1", "#办结 1 这次整条线路换了")
    testbot.say("b3", "zhang", "#评价 1 4 这次亮了")
    stored = ticket(testbot)
    assert (stored["status"], stored["rating"]) == ("rated", 4)
    assert stored["history"][-1]["note"] == "4分：这次亮了"
    # Rated, then broken again: the reporter may still say so, and the old rating is withdrawn.
    testbot.say("b3", "zhang", "#未解决 1 又坏了")
    assert ticket(testbot)["rating"] is None


def test_a_low_rating_is_passed_to_the_grid_leader(testbot):
    testbot.say("b3", "zhang", LAMP)
    testbot.say("lead", "gl1", "#受理 1")
    testbot.say("lead", "gl1", "#办结 1 已处理")
    sent = testbot.say("b3", "zhang", "#评价 1 2 只换了一盏")
    assert "已转告网格长" in one_in(sent, "b3").text
    assert one_in(sent, "lead").mentions == ("gl1",) and "2分：只换了一盏" in one_in(sent, "lead").text


# -- permissions --------------------------------------------------------------------------

def test_only_the_grid_leader_of_the_ticket_or_staff_may_act(testbot):
    testbot.say("b3", "zhang", LAMP)
    assert "#受理 只有网格长、社区工作者可以使用" in only(testbot.say("b3", "li", "#受理 1")).text
    assert "#受理 只有网格长、社区工作者可以使用" in only(testbot.say("b3", "bl3", "#受理 1")).text
    refused = only(testbot.say("lead", "gl2", "#受理 1")).text
    assert refused == "只有第一网格的网格长（刘网格长）或社区工作者可以受理 #1。"
    # The button is no way around it.
    assert only(testbot.say("lead", "li", "1")).text == refused
    assert only(testbot.press("lead", "gl2", "tickets.accept:1")).text == refused
    assert ticket(testbot)["status"] == "pending"
    assert "已受理" in one_in(testbot.say("lead", "staff1", "#受理 1"), "b3").text
    for command in ("#指派 1 环境治理", "#办结 1 好了", "#驳回 1 不管"):
        assert "只有第一网格的网格长（刘网格长）或社区工作者" in only(testbot.say("lead", "gl2", command)).text
    assert ticket(testbot)["status"] == "accepted"


def test_progress_may_come_from_the_assignee_but_not_from_a_bystander(testbot):
    testbot.say("b3", "zhang", LAMP)
    testbot.say("lead", "gl1", "#受理 1")
    testbot.say("lead", "gl1", "#指派 1 @李师傅", mentions=("li",))
    assert "或被指派处理的人" in only(testbot.say("b3", "zhao", "#进展 1 我看过了")).text
    assert "有新进展（李师傅）" in only(testbot.say("b3", "li", "#进展 1 买好灯泡了")).text


def test_only_the_reporter_may_rate_or_reopen(testbot):
    testbot.say("b3", "zhang", LAMP)
    testbot.say("lead", "gl1", "#受理 1")
    testbot.say("lead", "gl1", "#办结 1 好了")
    assert only(testbot.say("b3", "li", "#评价 1 5")).text == "只有报事人可以评价 #1。"
    assert only(testbot.say("b3", "li", "#未解决 1")).text == "只有报事人可以重新打开 #1。"
    assert only(testbot.press("b3", "li", "tickets.rate:1:1")).text == "只有报事人可以评价 #1。"
    assert ticket(testbot)["status"] == "resolved"


# -- bad input -------------------------------------------------------------------------------

def test_missing_unknown_and_malformed_numbers_are_explained(testbot):
    missing = only(testbot.say("lead", "gl1", "#受理")).text
    assert "请写明工单编号。" in missing and "用法：#受理 工单编号" in missing
    assert "没有 #42 这件报事" in only(testbot.say("lead", "gl1", "#受理 42")).text
    assert "“abc”不是工单编号" in only(testbot.say("lead", "gl1", "#受理 abc")).text
    testbot.say("b3", "zhang", LAMP)
    assert "刘网格长已受理" in one_in(testbot.say("lead", "gl1", "＃受理 ＃１"), "b3").text


def test_ratings_outside_one_to_five_change_nothing(testbot):
    testbot.say("b3", "zhang", LAMP)
    testbot.say("lead", "gl1", "#受理 1")
    assert "办结后才能评价" in only(testbot.say("b3", "zhang", "#评价 1 5")).text
    testbot.say("lead", "gl1", "#办结 1 好了")
    for bad in ("6", "0", "五星", "-1"):
        reply = only(testbot.say("b3", "zhang", f"#评价 1 {bad}")).text
        assert f"评分要在 1 到 5 之间，您写的是“{bad}”" in reply
    assert "请写 1 到 5 分" in only(testbot.say("b3", "zhang", "#评价 1")).text
    assert ticket(testbot)["status"] == "resolved"
    assert "得 3 分" in only(testbot.say("b3", "zhang", "#评价 1 3分")).text
    assert "已经评价过了（3 分）" in only(testbot.say("b3", "zhang", "#评价 1 5")).text


def test_actions_the_state_does_not_allow_are_refused_with_the_next_step(testbot):
    testbot.say("b3", "zhang", LAMP)
    before = ticket(testbot)["history"]
    assert "#1 还没有受理，请先发送 #受理 1" in only(testbot.say("lead", "gl1", "#办结 1 好了")).text
    assert "#1 还没有受理" in only(testbot.say("lead", "gl1", "#指派 1 环境治理")).text
    assert "不能重新打开" in only(testbot.say("b3", "zhang", "#未解决 1")).text
    testbot.say("lead", "gl1", "#受理 1")
    assert "现在是「已受理」，不能受理" in only(testbot.say("lead", "gl1", "#受理 1")).text
    assert len(ticket(testbot)["history"]) == len(before) + 1


def test_forged_or_stale_buttons_get_a_polite_answer(testbot):
    testbot.say("b3", "zhang", LAMP)
    for action in ("tickets.accept:abc", "tickets.rate:1:9", "tickets.register:999", "tickets.merge:1",
                   "tickets.support:x", "tickets.nope:1"):
        reply = only(testbot.press("lead", "gl1", action)).text
        assert "失效" in reply or "没有" in reply, (action, reply)
    assert ticket(testbot)["status"] == "pending"


# -- history and numbering --------------------------------------------------------------

def test_ticket_detail_shows_the_whole_history(testbot):
    testbot.say("b3", "zhang", LAMP)
    testbot.say("b3", "li", "#附议 1")
    testbot.say("lead", "gl1", "#受理 1")
    testbot.say("lead", "gl1", "#指派 1 环境治理 周六处理")
    detail = only(testbot.say("b3", "zhao", "#工单 1")).text
    assert detail.splitlines()[:3] == ["#1【设施维修】处理中", "位置：3栋2单元", "内容：3栋2单元楼道灯坏了"]
    assert "附议：1 人" in detail and "处理：环境治理理事会" in detail
    assert detail.splitlines()[-4:] == [
        "11-23 09:01 张阿姨 报事（新→待受理）",
        "11-23 09:02 李师傅 附议",
        "11-23 09:03 刘网格长 受理（待受理→已受理）",
        "11-23 09:04 刘网格长 指派（已受理→处理中）：指派给环境治理理事会：周六处理",
    ]


def test_numbers_count_per_community(testbot):
    testbot.say("b3", "zhang", LAMP)
    testbot.say("b5", "zhao", "#报事 5栋楼下垃圾没人收 臭死了")
    assert [t["number"] for t in testbot.export()["tickets"]] == [1, 2]


def test_concurrent_reports_get_distinct_consecutive_numbers(db_url):
    bot = TestBot(database_url=db_url)
    bot.close()
    engine = make_engine(db_url)
    with session_scope(engine) as s:
        community_id = s.exec(select(Community)).one().id
    got: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def take() -> None:
        try:
            start.wait()
            for _ in range(5):
                with session_scope(engine) as session:
                    got.append(tickets_repo.next_number(session, community_id=community_id))
        except BaseException as exc:  # reported below: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=take) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    assert errors == []
    assert sorted(got) == list(range(1, 31))


@pytest.mark.parametrize("text", ["#报事", "#报事   "])
def test_an_empty_report_asks_what_and_where(testbot, text):
    reply = only(testbot.say("b3", "zhang", text)).text
    assert "请写明是什么问题、在哪里" in reply and "例如：#报事 3栋2单元楼道灯坏了" in reply
    assert testbot.export()["tickets"] == []


# -- configuration and the demo ------------------------------------------------------------

def test_the_example_config_documents_the_defaults():
    example = load_settings(Path(__file__).resolve().parent.parent / "config.example.yaml")
    assert TicketsConfig.model_validate(example.section("tickets")) == TicketsConfig()


@pytest.mark.parametrize("section, complaint", [
    ({"category_councils": {"卫生": "环境治理理事会"}}, "unknown category '卫生'"),
    ({"category_councils": {"环境卫生": "卫生队"}}, "'卫生队' is not in councils"),
    ({"overdue": {"remind_hours": 24, "escalate_hours": 12}}, "escalate_hours must be more than remind_hours"),
    ({"overdue": {"stale_day": 3}}, "stale_day"),
])
def test_a_wrong_tickets_section_stops_the_start_with_a_clear_message(sqlite_url, section, complaint):
    settings = load_settings(DATA / "community.yaml").model_copy(update={"tickets": section})
    with pytest.raises(ConfigError) as caught:
        TestBot(database_url=sqlite_url, settings=settings)
    assert "section `tickets`" in str(caught.value) and complaint in str(caught.value)


def test_the_demo_shows_a_report_travelling_to_a_rated_resolution():
    out = io.StringIO()
    assert play(out) == 0
    transcript = out.getvalue()
    milestones = ["已登记 #1【设施维修】", "照片已附到 #1", "刘网格长已受理", "@陈阿姨 请处理 #1",
                  "已附议 #1（共 2 人附议）", "#1 有新进展（陈阿姨）", "已办结：电工换了线路", "#1 得 5 分",
                  "🚨已登记紧急报事 #3", "拨打119", "139****5678", "群里只显示“2栋居民”",
                  "超过 24 小时还没有受理", "超过 72 小时还没有受理"]
    positions = [transcript.find(m) for m in milestones]
    assert -1 not in positions, [m for m, p in zip(milestones, positions) if p == -1]
    assert positions[:8] == sorted(positions[:8])
    said_in_groups = [block for block in re.split(r"\n(?=\S|  ↳)", transcript)
                      if block.startswith("  ↳") and "[网格骨干群]" not in block.split("\n")[0]]
    assert any("139****5678" in block for block in said_in_groups)
    assert not any("13912345678" in block for block in said_in_groups)


def test_two_leaders_accepting_at_the_same_moment_accept_once(db_url):
    bot = TestBot(database_url=db_url)
    heard = []
    bot.runtime.registry.signals.setdefault("ticket.accepted", []).append(lambda ctx, **payload: heard.append(payload))
    bot.say("b3", "zhang", LAMP)
    start = threading.Barrier(2)

    def accept(sender: str) -> None:
        event = IncomingMessage("console", "lead", sender, sender, "#受理 1", bot.now)
        start.wait()
        bot.runtime.dispatcher.handle(event)

    threads = [threading.Thread(target=accept, args=(who,)) for who in ("gl1", "staff1")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    actions = [h["action"] for h in ticket(bot)["history"]]
    bot.close()
    assert actions == ["report", "accept"] and len(heard) == 1
