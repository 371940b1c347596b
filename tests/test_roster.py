"""Households and who lives in them: config sync, CSV import and the binding workflow."""
from __future__ import annotations

from sqlmodel import select

from bot.config import load_settings
from bot.roster import import_roster_csv, sync_config
from storage.models import BindingRequest, Community, Household, Member, Role
from tests.support.testbot import DATA, TestBot, only, texts


def member(s, key: str) -> Member:
    return s.exec(select(Member).where(Member.key == key)).one()


def test_binding_waits_for_the_building_leader_and_a_numbered_reply_approves(testbot):
    sent = testbot.say("b3", "newbie", "#绑定 3-1-102", name="小周")
    assert "等待楼栋长审核" in sent[0].text
    ask = sent[1]
    assert ask.mentions == ("bl3",) and "回复 1 批准" in ask.text
    with testbot.session() as s:
        assert s.exec(select(Member).where(Member.display_name == "小周")).one().household_id is None
    done = only(testbot.say("b3", "bl3", "1"))
    assert "已批准" in done.text
    with testbot.session() as s:
        newbie = s.exec(select(Member).where(Member.display_name == "小周")).one()
        assert s.get(Household, newbie.household_id).code == "3-1-102"


def test_binding_accepts_the_chinese_address_form(testbot):
    sent = testbot.say("b3", "newbie", "#绑定 3栋1单元102室")
    assert "3-1-102" in sent[0].text


def test_a_resident_cannot_answer_the_leaders_choice(testbot):
    testbot.say("b3", "newbie", "#绑定 3-1-102")
    reply = only(testbot.say("b3", "li", "1")).text
    assert "只有 3 栋的楼栋长" in reply
    with testbot.session() as s:
        assert s.get(BindingRequest, 1).status == "pending"


def test_a_leader_of_another_building_is_refused(testbot):
    testbot.say("b3", "newbie", "#绑定 3-1-102")
    reply = only(testbot.say("b3", "bl5", "#批准绑定 1")).text
    assert "只有 3 栋的楼栋长、所属网格长或社区工作者" in reply
    assert "已批准" in only(testbot.say("b3", "gl1", "#批准绑定 1")).text


def test_a_grid_leader_of_another_grid_is_refused(testbot):
    testbot.say("b3", "newbie", "#绑定 3-1-102")
    assert "只有" in only(testbot.say("b3", "gl2", "#批准绑定 1")).text


def test_no_one_approves_their_own_binding(testbot):
    testbot.say("b5", "bl5", "#绑定 5-1-102")
    reply = only(testbot.say("b5", "bl5", "#批准绑定 1")).text
    assert "不能审核自己的申请" in reply


def test_rejecting_needs_a_reason_that_the_resident_sees(testbot):
    testbot.say("b3", "newbie", "#绑定 3-1-102")
    assert "请写明驳回的原因" in only(testbot.say("b3", "bl3", "#驳回绑定 1")).text
    reply = only(testbot.say("b3", "bl3", "#驳回绑定 1 这户登记的不是您家")).text
    assert "原因：这户登记的不是您家" in reply
    assert "已处理过了" in only(testbot.say("b3", "bl3", "#批准绑定 1")).text


def test_approval_in_the_leaders_chat_is_announced_where_the_resident_asked(testbot):
    testbot.say("b3", "newbie", "#绑定 3-1-102", name="小周")
    sent = testbot.say("lead", "gl1", "#批准绑定 1")
    assert {s.chat for s in sent} == {"b3", "lead"}
    assert next(s for s in sent if s.chat == "b3").mentions == ("newbie",)


def test_unknown_household_and_request_numbers_are_explained(testbot):
    assert "名册里没有门牌 9-9-999" in only(testbot.say("b3", "newbie", "#绑定 9-9-999")).text
    assert "没有编号为 42 的绑定申请" in only(testbot.say("b3", "bl3", "#批准绑定 42")).text
    assert "不是申请编号" in only(testbot.say("b3", "bl3", "#批准绑定 abc")).text


def test_pending_list_shows_only_the_leaders_scope(testbot):
    testbot.say("b3", "n1", "#绑定 3-1-102", name="甲")
    testbot.say("b5", "n2", "#绑定 5-1-102", name="乙")
    reply = only(testbot.say("lead", "bl3", "#待审核")).text
    assert "甲 → 3-1-102" in reply and "乙" not in reply


def test_config_sync_is_idempotent_and_keeps_what_residents_did(db_url):
    bot = TestBot(database_url=db_url)
    bot.say("b3", "newbie", "#绑定 3-1-102")
    before = bot.export()
    bot.close()
    again = TestBot(database_url=db_url)
    after = again.export()
    again.close()
    assert after == before


def test_taking_someone_off_the_config_removes_their_authority(db_url):
    settings = load_settings(DATA / "community.yaml")
    bot = TestBot(database_url=db_url, settings=settings)
    bot.close()
    trimmed = settings.model_copy(deep=True)
    trimmed.communities[0].members = [m for m in trimmed.communities[0].members if m.key != "gl1"]
    bot = TestBot(database_url=db_url, settings=trimmed)
    with bot.session() as s:
        gl1 = member(s, "gl1")
        assert gl1.role == Role.resident and gl1.grid_id is None
    bot.close()


def test_roster_csv_loads_households_areas_and_members_and_reports_bad_lines(testbot):
    csv_text = (
        "household,area_m2,member,name,role,wechat\n"
        "3-2-401,88.5,wu,吴老师,居民,wxid_wu\n"
        "8-2-202,64,,,,\n"
        "99-1-101,70,,,,\n"
        "3-2-402,abc,,,,\n"
        "3-2-403,70,x,某人,队长,\n"
    )
    with testbot.session() as s:
        community = s.exec(select(Community)).one()
        report = import_roster_csv(s, community=community, text=csv_text, now=testbot.now)
    assert (report.households, report.members) == (2, 1)
    assert [e[:3] for e in report.errors] == ["第4行", "第5行", "第6行"]
    assert "99 栋不在配置里" in report.errors[0] and "队长" in report.errors[2]
    with testbot.session() as s:
        assert s.exec(select(Household).where(Household.code == "3-2-401")).one().area_m2 == 88.5
        assert s.exec(select(Household).where(Household.code == "3-2-403")).first() is None
        wu = member(s, "wu")
        assert s.get(Household, wu.household_id).code == "3-2-401"
    exported = {m["member"]: m for m in testbot.export()["members"]}
    assert exported["wu"]["household"] == "3-2-401"


def test_roster_csv_without_the_household_column_is_refused(testbot):
    with testbot.session() as s:
        community = s.exec(select(Community)).one()
        report = import_roster_csv(s, community=community, text="code,area\n3-1-101,80\n", now=testbot.now)
    assert report.households == 0 and "household" in report.errors[0]


def test_the_pending_list_offers_approval_buttons_that_work_from_another_chat(testbot):
    testbot.say("b3", "n1", "#绑定 3-1-102", name="甲")
    listing = only(testbot.say("lead", "bl3", "#待审核"))
    assert "回复 1 批准 1（3-1-102）" in listing.text
    sent = testbot.say("lead", "bl3", "1")
    assert any("已批准：甲 绑定 3-1-102" in s.text for s in sent)
