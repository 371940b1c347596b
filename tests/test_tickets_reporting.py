"""Reporting: urgent alerts, masking, anonymity, photos, passive offers, supports and duplicates."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from bot.config import load_settings
from storage.models import Ticket
from tests.support.testbot import DATA, TestBot, only, texts

PHONE, ID_CARD = "13912345678", "42010619800101123X"
GAS = "3栋厨房外面的燃气管在嘶嘶漏气"  # the parser reads this as urgent 安全隐患


def in_chat(sent, chat):
    return [s for s in sent if s.chat == chat]


def one_in(sent, chat):
    return only(in_chat(sent, chat))


def tickets(bot) -> list[dict]:
    return bot.export()["tickets"]


# -- urgent -----------------------------------------------------------------------------------

def test_an_urgent_report_alerts_grid_leader_and_staff_at_once_with_a_safety_hint(testbot):
    sent = testbot.say("b3", "zhang", f"#报事 {GAS}")
    here, leaders = one_in(sent, "b3"), one_in(sent, "lead")
    for alert in (here, leaders):
        assert alert.mentions == ("gl1", "staff1")
        assert alert.outgoing.urgent
        assert "安全提示：请拨打119，立即离开楼栋" in alert.text
    assert here.outgoing.text.startswith("🚨已登记紧急报事 #1【安全隐患】")
    assert leaders.outgoing.text.startswith("🚨紧急报事 #1【安全隐患】")
    assert tickets(testbot)[0]["urgency"] == "urgent"


def test_urgent_alerts_are_not_held_by_quiet_hours_but_ordinary_ones_wait(db_url):
    night = datetime.fromisoformat("2026-11-23T23:30:00+08:00")
    bot = TestBot(database_url=db_url, start=night)
    urgent = one_in(bot.say("b3", "zhang", f"#报事 {GAS}"), "lead")
    assert urgent.at.hour == 23
    ordinary = bot.say("b5", "zhao", "#报事 5栋楼下垃圾没人收 臭死了")
    assert in_chat(ordinary, "lead") == [] and len(in_chat(ordinary, "b5")) == 1
    morning = only(bot.advance(timedelta(hours=8)))
    assert morning.chat == "lead" and (morning.at.hour, morning.at.minute) == (7, 0) and "#2" in morning.text
    bot.close()


def test_a_person_in_danger_gets_the_ambulance_hint(testbot):
    sent = testbot.say("b3", "zhang", "#报事 3栋1单元有个老人晕倒了")
    assert "拨打120" in one_in(sent, "b3").text


# -- masking and anonymity -----------------------------------------------------------------

def test_phone_and_id_numbers_never_reach_a_group_chat_unmasked(testbot):
    report = f"#报事 3栋2单元楼道灯坏了 电话{PHONE} 身份证{ID_CARD}"
    sent = testbot.say("b3", "zhang", report)
    testbot.say("b3", "li", "#附议 1")
    sent += testbot.say("lead", "gl1", "#受理 1")
    sent += testbot.say("lead", "gl1", f"#进展 1 已和业主{PHONE}约好时间")
    sent += testbot.say("lead", "gl1", "#办结 1 好了")
    for chat, who in (("b3", "zhang"), ("all", "li"), ("b3", "li")):
        sent += testbot.say(chat, who, "#工单 1")
        sent += testbot.say(chat, who, "#问题清单")
        sent += testbot.say(chat, who, "#我的报事")
    # The leaders' chat is a group chat too: it sees the masked numbers like every other chat.
    assert len(sent) >= 12 and {s.chat for s in sent} >= {"b3", "all", "lead"}
    for message in sent:
        assert PHONE not in message.text and ID_CARD not in message.text and "42010619800" not in message.text
    assert any("139****5678" in s.text and "4201**********123X" in s.text for s in sent if s.chat == "lead")


def test_an_anonymous_report_hides_the_name_from_group_chats_but_not_from_leaders(testbot):
    sent = testbot.say("b5", "zhao", "#匿名报事 5栋楼下垃圾没人收 臭死了")
    confirm, announce = one_in(sent, "b5"), one_in(sent, "lead")
    assert "已匿名登记 #1" in confirm.text and "群里只显示“5栋居民”" in confirm.text
    assert "报事人：赵大爷（匿名）（5栋群）" in announce.text
    later = testbot.say("lead", "gl1", "#受理 1") + testbot.say("lead", "gl1", "#办结 1 清运了")
    told = in_chat(later, "b5")
    assert len(told) == 2 and all(s.mentions == () for s in told)
    assert "回复 5 5分 非常满意" in told[1].text
    detail = only(testbot.say("b5", "li", "#工单 1")).text
    assert "报事人：5栋居民" in detail and "5栋居民 报事" in detail and "赵大爷" not in detail
    assert "赵大爷（匿名）" in only(testbot.say("lead", "gl1", "#工单 1")).text
    # Only the reporter can still answer the rating, without being named.
    assert "得 4 分" in only(testbot.say("b5", "zhao", "4")).text
    assert tickets(testbot)[0]["reporter"] == "zhao"


# -- photos --------------------------------------------------------------------------------

def test_a_photo_within_two_minutes_attaches_to_the_senders_report(testbot):
    testbot.say("b3", "zhang", "#报事 3栋2单元楼道灯坏了", images=("a.jpg",))
    assert only(testbot.say("b3", "zhang", "", images=("b.jpg",), after=timedelta(seconds=90))).text == "照片已附到 #1。"
    assert testbot.say("b3", "li", "", images=("c.jpg",), after=timedelta(seconds=5)) == []
    assert testbot.say("b3", "zhang", "", images=("d.jpg",), after=timedelta(minutes=3)) == []
    with testbot.session() as s:
        assert s.exec(select(Ticket)).one().images == ["a.jpg", "b.jpg"]
    assert "照片：2 张" in only(testbot.say("b3", "zhang", "#工单 1")).text


# -- passive offers ------------------------------------------------------------------------

def test_a_plain_report_gets_one_offer_and_1_registers_it(testbot):
    offer = only(testbot.say("b5", "zhao", "5栋楼下垃圾没人收 臭死了"))
    assert offer.text.endswith("回复 1 登记")
    sent = testbot.say("b5", "zhao", "1")
    assert one_in(sent, "b5").text.startswith("已登记 #1【环境卫生】5栋楼下垃圾没人收")
    assert one_in(sent, "lead").mentions == ("gl1",)
    assert "已经登记为 #1" in only(testbot.press("b5", "zhao", "tickets.register:1")).text
    assert len(tickets(testbot)) == 1


def test_offers_are_not_repeated_within_ten_minutes(testbot):
    assert len(testbot.say("b5", "zhao", "5栋楼下垃圾没人收 臭死了")) == 1
    assert testbot.say("b5", "zhao", "5栋楼道堆满了杂物", after=timedelta(minutes=5)) == []
    assert testbot.say("b3", "zhao", "3栋楼下花坛被车压坏了", after=timedelta(minutes=4)) == []
    assert len(testbot.say("b5", "zhao", "5栋楼道堆满了杂物", after=timedelta(minutes=2))) == 1
    # Another member is asked regardless.
    assert len(testbot.say("b5", "li", "5栋楼道堆满了杂物")) == 1


def test_only_the_sender_may_register_an_offered_message(testbot):
    testbot.say("b5", "zhao", "5栋楼下垃圾没人收 臭死了")
    assert testbot.say("b5", "li", "1") == []
    assert "只有发这条消息的本人可以登记" in only(testbot.press("b5", "li", "tickets.register:1")).text
    assert tickets(testbot) == []


def test_no_offer_for_chatter_commands_replies_to_the_bot_or_where_staff_switched_it_off(testbot):
    assert testbot.say("b5", "zhao", "好的收到") == []
    assert "没有 #垃圾没人收" in only(testbot.say("b5", "zhao", "#垃圾没人收")).text
    help_reply = only(testbot.say("b5", "li", "#帮助"))
    assert testbot.say("b5", "zhao", "5栋楼下垃圾没人收 臭死了", reply_to=help_reply) == []
    assert "#自动登记 只有社区工作者可以使用" in only(testbot.say("b5", "zhao", "#自动登记 关")).text
    assert "已关闭本群的自动登记提示" in only(testbot.say("b5", "staff1", "#自动登记 关")).text
    assert testbot.say("b5", "zhao", "5栋楼下垃圾没人收 臭死了") == []
    assert len(testbot.say("b3", "zhao", "3栋楼下花坛被车压坏了")) == 1
    assert "现在是关着的" in only(testbot.say("b5", "staff1", "#自动登记")).text
    testbot.say("b5", "staff1", "#自动登记 开")
    assert len(testbot.say("b5", "li", "5栋楼下垃圾没人收 臭死了")) == 1
    assert {c["key"]: c["passive_reports"] for c in testbot.export()["chats"]}["b5"] is True


def test_the_staff_switch_survives_a_restart_unless_the_config_sets_it(db_url):
    bot = TestBot(database_url=db_url)
    bot.say("b5", "staff1", "#自动登记 关")
    bot.close()
    again = TestBot(database_url=db_url)
    assert again.say("b5", "zhao", "5栋楼下垃圾没人收 臭死了") == []
    again.close()
    settings = load_settings(DATA / "community.yaml")
    settings.communities[0].chats[2].passive_reports = True
    forced = TestBot(database_url=db_url, settings=settings)
    assert len(forced.say("b5", "zhao", "5栋楼下垃圾没人收 臭死了")) == 1
    forced.close()


def test_an_urgent_plain_message_gets_the_safety_hint_with_the_offer(testbot):
    offer = only(testbot.say("b3", "li", GAS)).text
    assert offer.startswith("⚠️ 请拨打119，立即离开楼栋") and offer.endswith("回复 1 登记")


# -- supports and duplicates --------------------------------------------------------------

def test_plus_one_in_reply_to_a_ticket_message_supports_it(testbot):
    confirm = one_in(testbot.say("b3", "zhang", "#报事 3栋2单元楼道灯坏了"), "b3")
    assert "已附议 #1（共 1 人附议）" in only(testbot.say("b3", "li", "+1", reply_to=confirm)).text
    assert only(testbot.say("b3", "li", "＋1", reply_to=confirm)).text == "您已经附议过 #1 了。"
    assert "是您自己报的事" in only(testbot.say("b3", "zhang", "附议", reply_to=confirm)).text
    help_reply = only(testbot.say("b3", "zhao", "#帮助"))
    assert testbot.say("b3", "zhao", "+1", reply_to=help_reply) == []
    assert testbot.say("b3", "zhao", "+1") == []
    assert tickets(testbot)[0]["supporters"] == ["li"]


def test_supporters_hear_of_changes_in_the_chat_they_supported_from(testbot):
    testbot.say("b3", "zhang", "#报事 3栋2单元楼道灯坏了")
    testbot.say("all", "zhao", "#附议 1")
    testbot.say("b3", "li", "#附议 1")
    sent = testbot.say("lead", "gl1", "#受理 1")
    assert one_in(sent, "b3").mentions == ("zhang", "li")
    assert one_in(sent, "all").mentions == ("zhao",)
    assert "已受理" in one_in(sent, "all").text
    sent = testbot.say("lead", "gl1", "#办结 1 修好了")
    assert "回复 1" in one_in(sent, "b3").text and "回复 1" not in one_in(sent, "all").text
    assert "只有报事人可以评价" in only(testbot.say("all", "zhao", "#评价 1 5")).text
    sent = testbot.say("b3", "zhang", "#未解决 1")
    assert (one_in(sent, "all").mentions, one_in(sent, "b3").mentions) == (("zhao",), ("li",))
    assert "已重新打开" in one_in(sent, "all").text


def test_closed_tickets_take_no_supports(testbot):
    testbot.say("b3", "zhang", "#报事 3栋2单元楼道灯坏了")
    testbot.say("lead", "gl1", "#驳回 1 重复了")
    assert "#1 已驳回了，不需要附议" in only(testbot.say("b3", "li", "#附议 1")).text


def test_a_similar_report_is_asked_whether_it_is_the_same_and_can_merge_in_one_step(testbot):
    testbot.say("b3", "zhang", "#报事 3栋2单元楼道灯坏了")
    testbot.say("b3", "zhao", "#附议 1")
    confirm = one_in(testbot.say("b3", "li", "#报事 3栋楼道灯也不亮了"), "b3")
    assert "已登记 #2" in confirm.text and "是否与 #1 相同？#1【设施维修】3栋2单元楼道灯坏了（待受理，1 人附议）" in confirm.text
    assert confirm.text.endswith("回复 1 相同，并入 #1 并附议")
    assert testbot.say("b3", "zhang", "1") == []  # the choice is the new reporter's
    sent = testbot.say("b3", "li", "1")
    assert "#2 与 #1 是同一件事，已并入 #1（共 2 人附议）" in one_in(sent, "b3").text
    assert "#2 已并入 #1（李师傅）" in one_in(sent, "lead").text
    first, second = tickets(testbot)
    assert first["supporters"] == ["zhao", "li"] and second["status"] == "duplicate"
    # Supporting the merged one supports the original.
    assert "#2 已并入 #1。已附议 #1（共 3 人附议）" in only(testbot.say("b3", "bl3", "#附议 2")).text


def test_different_problems_in_the_same_building_are_not_offered_as_duplicates(testbot):
    testbot.say("b3", "zhang", "#报事 3栋2单元楼道灯坏了")
    confirm = one_in(testbot.say("b3", "li", "#报事 3栋电梯坏了 停在6楼不动"), "b3")
    assert "是否与" not in confirm.text


def test_a_leader_merges_duplicates_and_supporters_carry_over(testbot):
    testbot.say("b3", "zhang", "#报事 3栋2单元楼道灯坏了")
    testbot.say("b5", "zhao", "#报事 5栋楼下垃圾没人收 臭死了")
    testbot.say("b5", "li", "#附议 2")
    assert "#重复 只有网格长、社区工作者可以使用" in only(testbot.say("b5", "zhao", "#重复 2 1")).text
    assert "请写明原来那件报事的编号" in only(testbot.say("lead", "gl1", "#重复 2")).text
    assert "不能并入它自己" in only(testbot.say("lead", "gl1", "#重复 2 2")).text
    sent = testbot.say("lead", "gl1", "#重复 2 1")
    told = one_in(sent, "b5")
    assert told.mentions == ("zhao", "li") and "已并入 #1" in told.text
    assert tickets(testbot)[0]["supporters"] == ["zhao", "li"]
    assert "不能合并" in only(testbot.say("lead", "gl1", "#重复 2 1")).text


def test_a_plain_message_like_an_open_ticket_is_offered_a_one_step_support(testbot):
    testbot.say("b3", "zhang", "#报事 3栋2单元楼道灯坏了")
    offer = only(testbot.say("b3", "li", "3栋楼道灯也不亮了")).text
    assert offer.startswith("是否与 #1 相同？") and offer.endswith("回复 1 相同，附议 #1\n回复 2 不同，登记新报事")
    assert "已附议 #1" in only(testbot.say("b3", "li", "1")).text
    assert [t["number"] for t in tickets(testbot)] == [1]


def test_help_lists_the_ticket_commands_by_role(testbot):
    resident = only(testbot.say("b3", "zhang", "#帮助")).text
    leader = only(testbot.say("lead", "gl1", "#帮助")).text
    assert "#报事" in resident and "#受理" not in resident and "#受理" in leader
    assert "#自动登记" not in leader and "#自动登记" in only(testbot.say("lead", "staff1", "#帮助")).text
    assert texts(testbot.say("b3", "zhang", "/report 3栋2单元楼道灯坏了"))[0].startswith("已登记 #1")
