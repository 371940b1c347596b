"""The bot on WeChat and Telegram at once, end to end: real clients, fake servers, real database."""
from __future__ import annotations

from bot.adapters.wechat import compat  # noqa: F401 - must run before anything imports wechaty

# isort: split

import pytest

from tests.platforms.harness import B5, BOT_ID, LEAD, YANG, arranged, serving


@pytest.fixture
async def world(wechaty_state, sqlite_url, tmp_path):
    async with arranged(sqlite_url, tmp_path / "data") as world:
        yield world


async def test_help_is_answered_on_both_platforms(world):
    async with serving(world):
        await world.puppet.send_room_text("room-b3", "wx-zhang", "#帮助")
        world.api.push_command(LEAD, YANG, "help")

        wechat = await world.puppet.wait_sent(lambda m: m.room_id == "room-b3")
        telegram = await world.api.wait_call("sendMessage", lambda c: c.params["chat_id"] == LEAD)

    assert wechat.text.startswith("共建助手可以帮您（居民）")
    assert telegram.params["text"].startswith("共建助手可以帮您（社区工作者）")
