"""Reading commands out of chat text."""
from __future__ import annotations

import pytest

from bot.commands import numbered_reply, read_command, record_number
from bot.router import Registry, Router

router = Router("t")


@router.command("积分", summary="", usage="#积分", example="#积分")
def points(ctx):
    pass


@router.command("积分榜", summary="", usage="#积分榜", example="#积分榜", aliases=("rank",))
def ranking(ctx):
    pass


@router.command("帮助", summary="", usage="#帮助", example="#帮助", aliases=("help",))
def show_help(ctx):
    pass


REGISTRY = Registry([router])


def read(text: str, *, mentions_bot: bool = False, username: str | None = "cocreate_bot"):
    return read_command(text, mentions_bot=mentions_bot, registry=REGISTRY, bot_username=username)


@pytest.mark.parametrize("text", ["#帮助", "＃帮助", "# 帮助", "  #帮助  ", "/help", "/HELP", "/help@cocreate_bot"])
def test_the_same_command_in_every_spelling(text):
    call = read(text)
    assert call.command.name == "帮助"
    assert call.args == ""


def test_longest_command_word_wins():
    assert read("#积分榜 本周").command.name == "积分榜"
    assert read("#积分榜 本周").args == "本周"
    assert read("#积分 @张三 +5").command.name == "积分"


def test_arguments_may_follow_without_a_space_and_keep_their_characters():
    call = read("#积分榜本季度，谢谢")
    assert call.command.name == "积分榜"
    assert call.args == "本季度，谢谢"


def test_a_command_to_another_bot_is_not_ours():
    assert read("/help@other_bot") is None


def test_an_unknown_word_is_reported_as_unknown():
    call = read("#报名 舞蹈队")
    assert call.command is None
    assert call.word == "报名"


def test_plain_talk_is_not_a_command():
    assert read("楼道灯坏了") is None
    assert read("") is None
    assert read("/ 不是命令") is None


def test_after_a_mention_the_hash_is_optional():
    assert read("帮助", mentions_bot=True).command.name == "帮助"
    assert read("你好", mentions_bot=True) is None


@pytest.mark.parametrize("text,number", [("1", 1), ("２", 2), (" 回复 3 ", 3), ("回复12", 12), ("选1", 1)])
def test_numbered_replies(text, number):
    assert numbered_reply(text) == number


@pytest.mark.parametrize("text", ["1楼灯坏了", "123", "一", "回复", ""])
def test_not_numbered_replies(text):
    assert numbered_reply(text) is None


def test_a_word_registered_twice_is_refused_at_start():
    other = Router("x")

    @other.command("帮助", summary="", usage="", example="")
    def again(ctx):
        pass

    with pytest.raises(ValueError):
        Registry([router, other])


@pytest.mark.parametrize("text, number", [
    ("12", 12), ("#12", 12), ("＃１２", 12), (" 7 ", 7), ("999999999", 999999999),
    ("²", 2), ("1234567890", None), ("99999999999999999999", None), ("½", None), ("١٢", None), ("12a", None), ("", None),
])
def test_record_numbers_as_people_write_them_and_nothing_a_database_could_not_hold(text, number):
    assert record_number(text) == number
