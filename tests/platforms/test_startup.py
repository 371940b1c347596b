"""Starting the platforms: webhook mode, a refused token, a Bot API that is not reachable yet."""
from __future__ import annotations

from bot.adapters.wechat import compat  # noqa: F401 - must run before anything imports wechaty

# isort: split

import httpx
import pytest

from bot.config import ConfigError
from tests.fakes.botapi import BotApiError
from tests.platforms.harness import LEAD, YANG, arranged, serving


@pytest.fixture
async def world(wechaty_state, sqlite_url, tmp_path):
    async with arranged(sqlite_url, tmp_path / "data") as world:
        yield world


async def test_webhook_mode_registers_the_url_and_takes_updates_with_the_secret_only(world, free_port):
    world.api.set_method("setWebhook", lambda params, files: True)
    hook = {"url": "https://bot.example.org/tg/hook", "listen": "127.0.0.1", "port": free_port,
            "secret_token": "s3cret-token"}
    settings = world.settings(telegram={"mode": "webhook", "webhook": hook})
    async with serving(world, settings, telegram_ready="setWebhook"):
        update = world.api.push_message(LEAD, YANG, "#我的信息")  # stored by the fake, posted by us
        url = f"http://127.0.0.1:{free_port}/tg/hook"
        async with httpx.AsyncClient(trust_env=False) as client:
            refused = await client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
            elsewhere = await client.post(f"http://127.0.0.1:{free_port}/other", json=update,
                                          headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"})
            malformed = await client.post(url, json={"update_id": "x", "message": 5},
                                          headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"})
            accepted = await client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"})
        reply = await world.api.wait_call("sendMessage")

    registered = world.api.calls_to("setWebhook")[0].params
    assert (registered["url"], registered["secret_token"]) == (hook["url"], "s3cret-token")
    assert registered["allowed_updates"] == ["message", "callback_query"]
    assert [r.status_code for r in (refused, elsewhere, malformed, accepted)] == [403, 404, 400, 200]
    assert reply.params["text"].startswith("杨书记：社区工作者")
    assert world.api.calls_to("getUpdates") == []
    assert len(world.api.calls_to("sendMessage")) == 1


async def test_a_token_the_bot_api_refuses_stops_the_start_with_a_config_error(world):
    settings = world.settings(telegram={"token": "999:WRONG"})

    with pytest.raises(ConfigError, match=r"section `telegram`: token: the Bot API refused it"):
        async with serving(world, settings):
            pass


async def test_wechat_serves_while_telegram_is_unreachable_and_telegram_joins_when_it_is_back(world):
    reachable = False

    def get_me(params, files):
        if not reachable:
            raise BotApiError(502, "Bad Gateway")  # a proxy in front of an unreachable Bot API
        return world.api.bot_user

    world.api.set_method("getMe", get_me)
    async with serving(world, telegram_ready=None):
        await world.puppet.send_room_text("room-b3", "wx-zhang", "#我的信息")
        await world.puppet.wait_sent(lambda m: m.room_id == "room-b3")
        down = [c.status for c in world.api.calls_to("getMe")]
        reachable = True
        await world.api.wait_polling()
        world.api.push_message(LEAD, YANG, "#我的信息")
        await world.api.wait_call("sendMessage")

    assert down and set(down) == {502}
    assert world.api.calls_to("getMe")[-1].status == 200
