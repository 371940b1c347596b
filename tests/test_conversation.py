"""The core seen from a chat: help, unknown and malformed commands, identity, idempotency, bad input."""
from __future__ import annotations

from sqlmodel import func, select

from storage.models import BindingRequest, Member, MemberIdentity, ProcessedMessage
from tests.support.testbot import only, texts


def test_help_lists_what_a_resident_may_use_with_examples(testbot):
    reply = only(testbot.say("b3", "zhang", "#帮助")).text
    assert "#绑定" in reply and "例：#绑定 3-2-301" in reply
    assert "#批准绑定" not in reply


def test_help_for_a_leader_includes_leader_commands(testbot):
    reply = only(testbot.say("b3", "bl3", "＃帮助")).text
    assert "（楼栋长）" in reply
    assert "#批准绑定" in reply and "#待审核" in reply


def test_help_on_one_command_shows_usage_and_latin_alias(testbot):
    reply = only(testbot.say("b3", "zhang", "/help 绑定")).text
    assert "用法：#绑定 楼栋-单元-门牌" in reply
    assert "/bind" in reply


def test_mentioning_the_bot_works_like_the_hash(testbot):
    reply = only(testbot.say("b3", "zhang", "@共建助手 帮助")).text
    assert "#绑定" in reply


def test_unknown_command_gets_a_short_chinese_answer(testbot):
    reply = only(testbot.say("b3", "zhang", "#帮组")).text
    assert "没有 #帮组 这个命令" in reply and "#帮助" in reply


def test_malformed_command_shows_usage_and_changes_nothing(testbot):
    reply = only(testbot.say("b3", "zhang", "#绑定 三楼那家")).text
    assert "用法：#绑定 楼栋-单元-门牌" in reply and "例如：#绑定 3-2-301" in reply
    with testbot.session() as s:
        assert s.exec(select(func.count()).select_from(BindingRequest)).one() == 0


def test_a_resident_using_a_leader_command_is_told_who_can(testbot):
    reply = only(testbot.say("b3", "zhang", "#批准绑定 1")).text
    assert "只有楼栋长、网格长、社区工作者可以使用" in reply


def test_calling_yourself_grid_leader_gives_no_authority(testbot):
    testbot.say("b3", "newbie", "#绑定 3-1-102", name="路人")
    reply = only(testbot.say("b3", "impostor", "#批准绑定 1", name="网格长")).text
    assert "只有" in reply
    with testbot.session() as s:
        assert s.get(BindingRequest, 1).status == "pending"


def test_identity_is_the_platform_id_not_the_name(testbot):
    testbot.say("b3", "zhang", "#我的信息", name="张阿姨")
    reply = only(testbot.say("b3", "zhang", "#我的信息", name="改名后的张")).text
    assert reply.startswith("改名后的张：居民") and "3-2-301" in reply
    other = only(testbot.say("b3", "stranger", "#我的信息", name="张阿姨")).text
    assert "未绑定" in other
    with testbot.session() as s:
        assert s.exec(select(func.count()).select_from(MemberIdentity).where(
            MemberIdentity.external_id == "zhang")).one() == 1


def test_a_message_delivered_twice_has_one_effect(testbot):
    first = testbot.say("b3", "newbie", "#绑定 3-1-102", message_id="m-1")
    again = testbot.say("b3", "newbie", "#绑定 3-1-102", message_id="m-1")
    assert len(first) == 2 and again == []
    with testbot.session() as s:
        assert s.exec(select(func.count()).select_from(BindingRequest)).one() == 1
        assert s.exec(select(func.count()).select_from(ProcessedMessage)).one() == 1


def test_a_refused_command_delivered_twice_is_answered_once(testbot):
    assert len(testbot.say("b3", "zhang", "#批准绑定 1", message_id="m-2")) == 1
    assert testbot.say("b3", "zhang", "#批准绑定 1", message_id="m-2") == []


def test_hostile_text_gets_no_stack_trace_and_loses_nothing(testbot):
    testbot.say("b3", "newbie", "#绑定 3-1-102")
    for text in ["", "   ", "😀😀😀", "\x00\x01#帮助\x7f", "#" + "绑" * 10_000, "楼" * 10_000, "#\u202e帮助"]:
        for sent in testbot.say("b3", "fuzzer", text):
            assert "Traceback" not in sent.text and "出了问题" not in sent.text
    with testbot.session() as s:
        assert s.get(BindingRequest, 1).status == "pending"
        fuzzer = s.exec(select(Member).join(MemberIdentity).where(MemberIdentity.external_id == "fuzzer")).one()
        assert fuzzer.role == "resident"


def test_control_characters_are_removed_before_handling(testbot):
    reply = only(testbot.say("b3", "zhang", "\x00#帮\x07助")).text
    assert "#绑定" in reply


def test_an_unknown_chat_is_ignored(testbot):
    assert testbot.say("nowhere", "zhang", "#帮助") == []


def test_an_unknown_sender_becomes_a_resident(testbot):
    reply = only(testbot.say("b5", "u-9999", "#我的信息", name="新来的")).text
    assert reply.startswith("新来的：居民")


def test_newcomers_are_welcomed_with_how_to_bind(testbot):
    reply = only(testbot.join("b3", [("wx_new", "小周")])).text
    assert "欢迎 小周" in reply and "#绑定" in reply


def test_a_number_nobody_offered_is_just_talk(testbot):
    assert testbot.say("b3", "zhang", "1") == []


def test_authority_does_not_carry_into_another_community(db_url):
    from bot.config import CommunityConfig, load_settings
    from tests.support.testbot import DATA, TestBot

    settings = load_settings(DATA / "community.yaml")
    other = CommunityConfig.model_validate({
        "key": "other", "name": "隔壁社区", "buildings": [{"number": "1"}],
        "households": [{"code": "1-1-101"}],
        "chats": [{"key": "o1", "name": "隔壁1栋群", "scope": "building:1"}],
    })
    settings = settings.model_copy(update={"communities": [*settings.communities, other]})
    bot = TestBot(database_url=db_url, settings=settings)
    assert "（居民）" in only(bot.say("o1", "staff1", "#帮助")).text
    bot.say("o1", "visitor", "#绑定 1-1-101")
    assert "只有" in only(bot.say("o1", "staff1", "#批准绑定 1")).text
    assert "（社区工作者）" in only(bot.say("all", "staff1", "#帮助")).text
    bot.close()


def test_a_numbered_reply_quoting_a_bot_message_answers_that_message(testbot):
    first = testbot.say("b3", "n1", "#绑定 3-1-102", name="甲")[1]
    testbot.say("b3", "n2", "#绑定 3-2-301", name="乙")
    # Plain "1" answers the newest options (乙's request); quoting 甲's request answers that one.
    sent = testbot.say("b3", "bl3", "1", reply_to=first)
    assert any("已批准：甲 绑定 3-1-102" in s.text for s in sent)


def test_quoting_options_meant_for_someone_else_picks_nothing(testbot):
    from tests.support.testbot import texts

    testbot.say("b3", "n1", "#绑定 3-1-102", name="甲")
    listing = only(testbot.say("b3", "bl3", "#待审核"))
    # The list's buttons were offered to the leader who asked; 甲 quoting it picks nothing.
    assert texts(testbot.say("b3", "n1", "1", reply_to=listing)) == []
