"""Serving the real runtime with both real adapters against the fake puppet service and Bot API."""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.adapters.platforms import platform_adapters
from bot.config import Settings, load_settings
from bot.features import FEATURES
from bot.runtime import ServingRuntime
from tests.fakes.botapi import FakeBotApi, user
from tests.fakes.puppet import FakePuppet

DATA = Path(__file__).resolve().parents[1] / "data"
FEATURES_FOR_TESTS = FEATURES + ("tests.platforms.townhall",)
TOKEN = "123456:TEST-token_for-cocreate"
BOT_USERNAME = "cocreate_bot"
BOT_ID, BOT_NAME = "wx-bot", "共建助手"

# WeChat: contact ids and names; the rooms bound in tests/data/platforms.yaml (and one that is not).
CONTACTS = {"wx-yang": "杨书记", "wx-zhang": "张阿姨", "wx-li": "李师傅", "wx-wang": "王大妈"}
ROOMS = {
    "room-all": ("和谐社区大群", ["wx-yang", "wx-zhang", "wx-li"]),
    "room-b3": ("3栋群", ["wx-yang", "wx-zhang", "wx-li"]),
    "room-other": ("别的群", ["wx-zhang"]),
}
# Telegram: users (none has a username, so mentions are text mentions) and group chats.
YANG, LIU, CHEN, ZHAO = user(901, "杨书记"), user(902, "刘网格长"), user(903, "陈楼长"), user(911, "赵大爷")
B5, LEAD, OTHER = -1005, -1009, -7777
TELEGRAM_CHATS = {B5: "5栋群", LEAD: "骨干群", OTHER: "别的群"}


@dataclass
class World:
    """The fake platforms and the settings that point the bot at them."""

    puppet: FakePuppet
    api: FakeBotApi
    database_url: str
    data_dir: Path

    def settings(self, *, telegram: dict[str, Any] | None = None, **wechat: Any) -> Settings:
        """The test community pointed at the fakes; keyword arguments change the ``wechat`` section."""
        return load_settings(
            DATA / "platforms.yaml",
            data_dir=str(self.data_dir),
            wechat={"endpoint": self.puppet.endpoint, "token": self.puppet.token, "min_interval_s": 0, **wechat},
            telegram={"token": TOKEN, "base_url": self.api.base_url, "base_file_url": self.api.base_file_url,
                      **(telegram or {})},
        )


@contextlib.asynccontextmanager
async def arranged(database_url: str, data_dir: Path) -> AsyncIterator[World]:
    async with FakePuppet(self_id=BOT_ID, self_name=BOT_NAME) as puppet, \
            FakeBotApi(token=TOKEN, bot_username=BOT_USERNAME, bot_name=BOT_NAME) as api:
        for contact_id, name in CONTACTS.items():
            puppet.add_contact(contact_id, name)
        for room_id, (topic, members) in ROOMS.items():
            puppet.add_room(room_id, topic, members)
        for chat_id, title in TELEGRAM_CHATS.items():
            api.add_chat(chat_id, title)
        yield World(puppet, api, database_url, data_dir)


@dataclass
class Served:
    runtime: ServingRuntime
    adapters: dict[str, Any]
    task: asyncio.Task


@contextlib.asynccontextmanager
async def serving(world: World, settings: Settings | None = None, *, telegram_ready: str | None = "polling",
                  ) -> AsyncIterator[Served]:
    """``cocreate run`` in-process: both adapters connected and logged in, stopped on exit.

    ``telegram_ready`` is what shows Telegram is up: its long poll, a Bot API method it
    calls at start (``setWebhook``), or None not to wait for Telegram.
    """
    settings = settings or world.settings()
    runtime = ServingRuntime(settings, database_url=world.database_url, features=FEATURES_FOR_TESTS)
    adapters = platform_adapters(settings)
    task = asyncio.create_task(runtime.serve(adapters), name="serve")
    try:
        await _ready(world, task, telegram_ready)
        yield Served(runtime, {a.platform: a for a in adapters}, task)
    finally:
        await stop(task)
        runtime.close()


async def _ready(world: World, task: asyncio.Task, telegram: str | None) -> None:
    """Wait for the WeChat stream (then log in) and for Telegram; fail fast if serve() died."""
    waits = [world.puppet.login()]
    if telegram == "polling":
        waits.append(world.api.wait_polling())
    elif telegram is not None:
        waits.append(world.api.wait_call(telegram))
    ready = asyncio.gather(*waits)
    done, _ = await asyncio.wait({ready, task}, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        ready.cancel()
        task.result()
        raise RuntimeError("serve() returned before the platforms were ready")
    ready.result()


async def stop(task: asyncio.Task, timeout: float = 10.0) -> None:
    """Stop serving the way SIGTERM does: cancel, and let serve() clean up."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        async with asyncio.timeout(timeout):
            await task
