"""The bot on WeChat and Telegram at once, end to end: real clients, fake servers, real database."""
from __future__ import annotations

from bot.adapters.wechat import compat  # noqa: F401 - must run before anything imports wechaty

# isort: split

import logging
import re

import pytest

from bot.adapters.telegram.callbacks import CallbackCodec
from bot.dispatch import STALE_CHOICE_TEXT
from bot.export import export_state
from storage.db import session_scope
from tests.fakes.botapi import BotApiCall
from tests.fakes.puppet import MENTION_SEPARATOR
from tests.platforms.harness import (
    B5, BOT_ID, CHEN, LEAD, LIU, OTHER, YANG, ZHAO, arranged, serving,
)
from tests.platforms.townhall import PIXEL_PNG


@pytest.fixture
async def world(wechaty_state, sqlite_url, tmp_path):
    async with arranged(sqlite_url, tmp_path / "data") as world:
        yield world


def in_room(room: str, containing: str = ""):
    return lambda m: m.room_id == room and containing in (m.text or "")


def to_chat(chat_id: int, containing: str = ""):
    return lambda c: c.params.get("chat_id") == chat_id and containing in c.params.get("text", "")


def buttons(call: BotApiCall) -> list[dict]:
    return [b for row in call.params["reply_markup"]["inline_keyboard"] for b in row]


def state(served) -> dict:
    with session_scope(served.runtime.engine) as session:
        return export_state(session, registry=served.runtime.registry, tz=served.runtime.settings.tz)


async def test_help_is_answered_on_both_platforms(world):
    async with serving(world):
        await world.puppet.send_room_text("room-b3", "wx-zhang", "#帮助")
        world.api.push_command(LEAD, YANG, "help")

        wechat = await world.puppet.wait_sent(in_room("room-b3"))
        telegram = await world.api.wait_call("sendMessage", to_chat(LEAD))

    assert wechat.text.startswith("共建助手可以帮您（居民）")
    assert telegram.params["text"].startswith("共建助手可以帮您（社区工作者）")


async def test_binding_asked_in_wechat_is_approved_with_a_button_in_the_telegram_leaders_chat(world):
    async with serving(world) as served:
        await world.puppet.send_room_text("room-b3", "wx-zhang", "#绑定 3-2-301")
        review = await world.puppet.wait_sent(in_room("room-b3", "请审核"))
        # The building leader has no WeChat account: named, but nobody to notify there.
        assert review.text.startswith(f"@陈楼长{MENTION_SEPARATOR}请审核：张阿姨 申请绑定 3-2-301")
        assert review.mention_ids == ()
        assert review.text.endswith("回复 1 批准\n回复 2 驳回")

        number = re.search(r"编号 (\d+)", review.text)[1]
        world.api.push_message(LEAD, CHEN, f"#审核 {number}")
        offer = await world.api.wait_call("sendMessage", to_chat(LEAD, "申请绑定"))
        approve, reject = buttons(offer)
        assert (approve["text"], reject["text"]) == ("批准", "驳回")
        assert all(len(b["callback_data"].encode()) <= 64 for b in (approve, reject))
        world.api.push_callback(LEAD, CHEN, approve["callback_data"], offer.result["message_id"])

        answer = await world.api.wait_call("answerCallbackQuery")
        notice = await world.puppet.wait_sent(in_room("room-b3", "已批准"))
        confirmed = await world.api.wait_call("sendMessage", to_chat(LEAD, "已批准"))
        exported = state(served)

    assert "text" not in answer.params  # a valid press is answered silently; the chats get the news
    assert notice.text == f"@张阿姨{MENTION_SEPARATOR}已批准：张阿姨 绑定 3-2-301。"
    assert notice.mention_ids == ("wx-zhang",)
    assert confirmed.params["text"] == "已批准：张阿姨 绑定 3-2-301。"
    (binding,) = exported["bindings"]
    assert (binding["member"], binding["household"], binding["status"], binding["decided_by"]) == (
        "zhang", "3-2-301", "approved", "chen")


async def test_a_numbered_reply_on_wechat_picks_the_action(world):
    async with serving(world) as served:
        await world.puppet.send_room_text("room-b3", "wx-li", "#绑定 3-2-302")
        await world.puppet.wait_sent(in_room("room-b3", "回复 1 批准"))
        await world.puppet.send_room_text("room-b3", "wx-yang", "1")

        notice = await world.puppet.wait_sent(in_room("room-b3", "已批准"))
        exported = state(served)

    assert notice.text == f"@李师傅{MENTION_SEPARATOR}已批准：李师傅 绑定 3-2-302。"
    assert notice.mention_ids == ("wx-li",)
    assert [(b["member"], b["decided_by"]) for b in exported["bindings"]] == [("li", "yang")]


async def test_a_telegram_member_without_username_is_mentioned_by_a_text_mention(world):
    async with serving(world):
        world.api.push_message(B5, ZHAO, "#绑定 5-1-101")
        review = await world.api.wait_call("sendMessage", to_chat(B5, "请审核"))
        # Building 5 has no building leader: its grid leader is asked, by name, as a text mention.
        entity = review.params["entities"][0]
        assert review.params["text"].startswith("刘网格长 请审核：赵大爷 申请绑定 5-1-101")
        assert (entity["type"], entity["offset"], entity["length"], entity["user"]["id"]) == (
            "text_mention", 0, len("刘网格长"), LIU["id"])

        world.api.push_callback(B5, LIU, buttons(review)[0]["callback_data"], review.result["message_id"])
        notice = await world.api.wait_call("sendMessage", to_chat(B5, "已批准"))

    assert notice.params["text"] == "赵大爷 已批准：赵大爷 绑定 5-1-101。"
    assert notice.params["entities"][0]["user"]["id"] == ZHAO["id"]


async def test_a_broadcast_reaches_every_chat_on_both_platforms(world):
    async with serving(world):
        world.api.push_message(LEAD, YANG, "#通知 周六上午九点大扫除")

        wechat = await world.puppet.wait_sent_many(2, lambda m: "【通知】" in (m.text or ""))
        telegram = await world.api.wait_calls("sendMessage", 2, lambda c: "【通知】" in c.params["text"])
        await world.puppet.send_room_text("room-b3", "wx-zhang", "#我的信息")  # anything later
        await world.puppet.wait_sent(in_room("room-b3", "张阿姨："))

    assert sorted(m.room_id for m in wechat) == ["room-all", "room-b3"]
    assert sorted(c.params["chat_id"] for c in telegram) == sorted([B5, LEAD])
    assert {m.text for m in wechat} | {c.params["text"] for c in telegram} == {"【通知】周六上午九点大扫除"}
    assert len([m for m in world.puppet.sent if "【通知】" in (m.text or "")]) == 2
    assert len(world.api.calls_to("sendMessage")) == 2


async def test_a_new_member_of_a_wechat_room_is_welcomed(world):
    async with serving(world):
        await world.puppet.join_room("room-b3", ["wx-wang"], inviter_id="wx-zhang")

        welcome = await world.puppet.wait_sent(in_room("room-b3", "欢迎"))

    assert welcome.text.startswith("欢迎 王大妈 加入3栋群！请发送“#绑定 楼栋-单元-门牌”")


async def test_chats_not_in_the_config_are_ignored_with_one_log_line(world, caplog):
    caplog.set_level(logging.WARNING)
    async with serving(world):
        for _ in range(2):
            await world.puppet.send_room_text("room-other", "wx-zhang", "#帮助")
            world.api.push_message(OTHER, YANG, "#帮助")
        await world.puppet.send_room_text("room-b3", "wx-zhang", "#帮助")
        world.api.push_message(LEAD, YANG, "#帮助")
        # Each platform handles its events in order: once these are answered, the others were seen.
        await world.puppet.wait_sent(in_room("room-b3"))
        await world.api.wait_call("sendMessage", to_chat(LEAD))

    assert [m.room_id for m in world.puppet.sent] == ["room-b3"]
    assert [c.params["chat_id"] for c in world.api.calls_to("sendMessage")] == [LEAD]
    warnings = [r.getMessage() for r in caplog.records if "not in the config" in r.getMessage()]
    assert warnings == ["ignoring wechat chat room-other: it is not in the config",
                        f"ignoring telegram chat {OTHER}: it is not in the config"]


async def test_the_bots_mention_is_a_command_and_others_are_passed_on(world):
    async with serving(world):
        await world.puppet.send_room_text("room-b3", "wx-zhang", "我的信息", mention_ids=[BOT_ID])
        await world.puppet.send_room_text("room-b3", "wx-zhang", "帮助", mention_ids=["wx-li"])
        world.api.push_message(LEAD, YANG, "@cocreate_bot 我的信息", entities=[
            {"type": "mention", "offset": 0, "length": len("@cocreate_bot")}])

        wechat = await world.puppet.wait_sent(in_room("room-b3"))
        telegram = await world.api.wait_call("sendMessage", to_chat(LEAD))
        await world.puppet.send_room_text("room-b3", "wx-li", "#我的信息")
        await world.puppet.wait_sent(in_room("room-b3", "李师傅："))

    assert wechat.text.startswith("张阿姨：居民")
    assert telegram.params["text"].startswith("杨书记：社区工作者")
    # "@李师傅 帮助" is talk between neighbours, not a command: no answer to it.
    assert len([m for m in world.puppet.sent if m.room_id == "room-b3"]) == 2


async def test_pictures_arrive_as_files_and_go_out_as_a_file_and_a_photo(world):
    async with serving(world):
        await world.puppet.send_room_image("room-b3", "wx-li", PIXEL_PNG, name="leak.png")
        world.api.push_photo(LEAD, YANG, PIXEL_PNG + b"-tg", caption="楼道漏水")
        got_wechat = await world.puppet.wait_sent(in_room("room-b3", "收到 1 张图片"))
        got_telegram = await world.api.wait_call("sendMessage", to_chat(LEAD, "收到 1 张图片"))

        await world.puppet.send_room_text("room-b3", "wx-li", "#图片")
        world.api.push_message(LEAD, YANG, "#图片")
        file = await world.puppet.wait_sent(lambda m: m.is_file)
        caption = await world.puppet.wait_sent(in_room("room-b3", "本周统计图"))
        photo = await world.api.wait_call("sendPhoto")

    assert got_wechat.text == f"收到 1 张图片，{len(PIXEL_PNG)} 字节：无说明"
    assert got_telegram.params["text"] == f"收到 1 张图片，{len(PIXEL_PNG) + 3} 字节：楼道漏水"
    assert (file.room_id, file.file_name, file.file_bytes) == ("room-b3", "test-pixel.png", PIXEL_PNG)
    assert world.puppet.sent.index(file) < world.puppet.sent.index(caption)
    assert photo.params["caption"] == "本周统计图"
    assert (photo.params["chat_id"], photo.files["photo"].data) == (LEAD, PIXEL_PNG)


async def test_a_long_text_is_split_on_line_boundaries_under_each_platforms_limit(world):
    async with serving(world):
        world.api.push_message(LEAD, YANG, "#长文 300")
        await world.puppet.send_room_text("room-b3", "wx-li", "#长文 100")
        telegram = await world.api.wait_calls("sendMessage", 2, to_chat(LEAD))
        wechat = await world.puppet.wait_sent_many(2, in_room("room-b3"))
        await world.puppet.send_room_text("room-b3", "wx-zhang", "1")
        picked = await world.puppet.wait_sent(in_room("room-b3", "张阿姨 知道了"))

    lines = [f"{n:04d}" + "长" * 16 for n in range(300)]
    assert [len(c.params["text"]) <= 4096 for c in telegram] == [True, True]
    assert "\n".join(c.params["text"] for c in telegram) == "\n".join(lines)
    assert ["reply_markup" in c.params for c in telegram] == [False, True]  # the button under the last part
    assert [len(m.text) <= 1500 for m in wechat] == [True, True]
    assert "\n".join(m.text for m in wechat) == "\n".join(lines[:100]) + "\n回复 1 知道了"
    assert picked.text == "张阿姨 知道了"


async def test_a_429_from_the_bot_api_delays_but_loses_nothing(world):
    # The first 429 is absorbed by the rate limiter, the second by the outbound queue's retry.
    world.api.fail_next("sendMessage", status=429, retry_after=1, times=2)
    async with serving(world):
        world.api.push_message(LEAD, YANG, "#帮助")
        world.api.push_message(LEAD, YANG, "#我的信息")

        replies = await world.api.wait_calls("sendMessage", 2, to_chat(LEAD))

    assert [c.status for c in world.api.calls_to("sendMessage")] == [429, 429, 200, 200]
    assert replies[0].params["text"].startswith("共建助手可以帮您")
    assert replies[1].params["text"].startswith("杨书记：社区工作者")


async def test_a_dropped_puppet_stream_reconnects_and_nothing_said_meanwhile_is_lost(world):
    async with serving(world) as served:
        world.puppet.drop_stream()
        await world.puppet.send_room_text("room-b3", "wx-zhang", "#我的信息")  # while disconnected

        reply = await world.puppet.wait_sent(in_room("room-b3"))

    assert reply.text.startswith("张阿姨：居民")
    assert world.puppet.streams_opened == 2
    assert served.adapters["wechat"].reconnects == 1


async def test_forged_or_stale_buttons_get_a_polite_answer_and_do_nothing(world):
    async with serving(world) as served:
        world.api.push_message(LEAD, YANG, "#帮助")
        menu = (await world.api.wait_call("sendMessage", to_chat(LEAD))).result["message_id"]
        codec = served.adapters["telegram"].codec
        forged = [
            "1AAAAAAAAbinding.approve:1",                                                     # made up
            codec.encode(chat_id=B5, action="binding.approve:1", outbox_id=1, index=0),          # another chat
            CallbackCodec("999:OLD").encode(chat_id=LEAD, action="binding.approve:1", outbox_id=1, index=0),
            codec.encode(chat_id=LEAD, action="feature.gone:1", outbox_id=1, index=0),           # no such action
            "9" + "x" * 20,                                                                      # unknown version
            "",
        ]
        for data in forged:
            world.api.push_callback(LEAD, YANG, data, menu)

        answers = await world.api.wait_calls("answerCallbackQuery", len(forged))

    assert [a.params.get("text") for a in answers] == [STALE_CHOICE_TEXT] * len(forged)
    assert len(world.api.calls_to("sendMessage")) == 1  # only the help text: nothing was run


async def test_an_action_too_long_for_button_data_is_read_back_from_the_outbox(world):
    async with serving(world):
        world.api.push_message(LEAD, YANG, "#长选项")
        offer = await world.api.wait_call("sendMessage", to_chat(LEAD, "请确认"))
        (button,) = buttons(offer)
        world.api.push_callback(LEAD, YANG, button["callback_data"], offer.result["message_id"])

        done = await world.api.wait_call("sendMessage", to_chat(LEAD, "收到"))

    assert button["callback_data"].startswith("2") and len(button["callback_data"]) < 64
    assert done.params["text"] == "收到 70 个字"


async def test_a_command_addressed_to_another_bot_is_ignored(world):
    async with serving(world):
        world.api.push_command(LEAD, YANG, "help", addressed_to="other_bot")
        world.api.push_command(LEAD, YANG, "me")  # /me@cocreate_bot

        reply = await world.api.wait_call("sendMessage", to_chat(LEAD))
        world.api.push_command(LEAD, YANG, "help", addressed_to="")  # bare /help is ours
        await world.api.wait_call("sendMessage", to_chat(LEAD, "可以帮您"))

    assert reply.params["text"].startswith("杨书记：社区工作者")
    assert len(world.api.calls_to("sendMessage")) == 2


async def test_a_quoted_reply_to_the_bot_on_wechat_finds_the_quoted_message(world, monkeypatch):
    seen = []
    from bot.dispatch import Dispatcher

    handle = Dispatcher.handle
    monkeypatch.setattr(Dispatcher, "handle", lambda self, event: seen.append(event) or handle(self, event))
    async with serving(world):
        await world.puppet.send_room_text("room-b3", "wx-zhang", "#我的信息")
        info = await world.puppet.wait_sent(in_room("room-b3"))
        quoted = info.text.split("\n")[0]
        await world.puppet.send_room_text(
            "room-b3", "wx-zhang", f"「共建助手：{quoted}」\n- - - - - - - - - - - - - - -\n谢谢")
        await world.puppet.send_room_text("room-b3", "wx-zhang", "#帮助")
        await world.puppet.wait_sent(in_room("room-b3", "可以帮您"))

    quote = next(e for e in seen if getattr(e, "reply_to_bot", False))
    assert (quote.text, quote.reply_to) == ("谢谢", info.message_id)


async def test_a_report_in_wechat_is_accepted_with_a_button_in_telegram_and_the_reporter_hears_in_wechat(world):
    async with serving(world) as served:
        await world.puppet.send_room_text("room-b3", "wx-zhang", "#报事 3栋2单元楼道灯坏了，晚上看不见")
        confirmed = await world.puppet.wait_sent(in_room("room-b3", "已登记"))
        announced = await world.api.wait_call("sendMessage", to_chat(LEAD, "新报事"))
        accept = next(b for b in buttons(announced) if b["text"] == "受理")
        world.api.push_callback(LEAD, LIU, accept["callback_data"], announced.result["message_id"])

        notice = await world.puppet.wait_sent(in_room("room-b3", "已受理"))
        exported = state(served)

    assert confirmed.mention_ids == ()
    # The grid leader of building 3 is asked in the leaders' chat, by a text mention.
    assert announced.params["text"].startswith("刘网格长 新报事")
    assert announced.params["entities"][0]["user"]["id"] == LIU["id"]
    assert notice.text.startswith(f"@张阿姨{MENTION_SEPARATOR}") and "刘网格长已受理" in notice.text
    assert notice.mention_ids == ("wx-zhang",)
    (ticket,) = exported["tickets"]
    assert (ticket["status"], ticket["reporter"], ticket["chat"], ticket["building"]) == ("accepted", "zhang", "b3", "3")
    assert [(h["action"], h["by"]) for h in ticket["history"]] == [("report", "zhang"), ("accept", "liu")]


async def test_a_reminder_broadcast_reaches_the_chats_on_both_platforms(world):
    async with serving(world) as served:
        world.api.push_message(LEAD, YANG, "#提醒 明天早上8点 周六大扫除，请带好工具 发到 全体群")
        echo = await world.api.wait_call("sendMessage", to_chat(LEAD))
        # Its time comes: the scheduler fires the job as at its run time (tomorrow, not waited for here).
        scheduler = served.runtime.scheduler
        (job,) = [j for j in scheduler.jobs() if j.id.startswith("reminder:")]
        assert scheduler.fire(job, [job.next_run_time], job.next_run_time) == 1

        wechat = await world.puppet.wait_sent_many(2, lambda m: "周六大扫除" in (m.text or ""))
        telegram = await world.api.wait_call("sendMessage", lambda c: "周六大扫除" in c.params["text"] and c is not echo)
        await world.puppet.send_room_text("room-b3", "wx-zhang", "#我的信息")  # anything later
        await world.puppet.wait_sent(in_room("room-b3", "张阿姨："))

    # Staff's 全体群: the community chat and the building chats, on whichever platform each is.
    assert sorted(m.room_id for m in wechat) == ["room-all", "room-b3"]
    assert telegram.params["chat_id"] == B5
    sent = [c.params["chat_id"] for c in world.api.calls_to("sendMessage") if "周六大扫除" in c.params["text"]]
    assert sent.count(B5) == 1 and len([m for m in world.puppet.sent if "周六大扫除" in (m.text or "")]) == 2


async def test_a_poll_posted_to_a_wechat_and_a_telegram_chat_counts_votes_from_both_in_one_tally(world):
    async with serving(world) as served:
        world.api.push_message(LEAD, YANG, "#投票 外墙刷什么颜色？ 灰色/米黄色/白色 截止 明天18:00 范围 3栋 5栋")
        in_wechat = await world.puppet.wait_sent(in_room("room-b3", "外墙刷什么颜色"))
        in_telegram = await world.api.wait_call("sendMessage", to_chat(B5, "外墙刷什么颜色"))

        await world.puppet.send_room_text("room-b3", "wx-zhang", "1")
        await world.puppet.send_room_text("room-b3", "wx-li", "3")
        beige = next(b for b in buttons(in_telegram) if b["text"] == "米黄色")
        world.api.push_callback(B5, ZHAO, beige["callback_data"], in_telegram.result["message_id"])
        await world.puppet.wait_sent_many(2, in_room("room-b3", "的票"))
        await world.api.wait_call("sendMessage", to_chat(B5, "的票"))
        world.api.push_message(LEAD, YANG, "#投票结果 1")
        result = await world.api.wait_call("sendMessage", to_chat(LEAD, "灰色"))
        exported = state(served)

    assert in_wechat.text.endswith("回复 1 灰色\n回复 2 米黄色\n回复 3 白色")
    assert [b["text"] for b in buttons(in_telegram)] == ["灰色", "米黄色", "白色"]
    (poll,) = exported["polls"]
    assert [(o["label"], o["votes"]) for o in poll["options"]] == [("灰色", 1), ("米黄色", 1), ("白色", 1)]
    assert poll["voters"] == 3
    lines = result.params["text"].split("\n")
    assert [(line.split()[1], line.split()[-2]) for line in lines[1:4]] == [("灰色", "1"), ("米黄色", "1"), ("白色", "1")]
    assert "共 3 人投票" in result.params["text"]
