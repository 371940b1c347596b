"""The `wechat` and `telegram` config sections: which adapters run, and clear errors when wrong."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.adapters.platforms import platform_adapters
from bot.cli import main
from bot.config import ConfigError, load_settings

DATA = Path(__file__).resolve().parents[1] / "data"
WECHAT = {"endpoint": "127.0.0.1:8788", "token": "puppet_service_token"}
TELEGRAM = {"token": "123456:ABC-def_ghi"}


def settings(**sections):
    return load_settings(DATA / "platforms.yaml", **sections)


def test_without_platform_sections_no_adapter_runs_and_the_console_is_used():
    assert platform_adapters(settings()) == []


def test_each_configured_platform_gets_one_adapter_for_its_chats():
    wechat, telegram = platform_adapters(settings(wechat=WECHAT, telegram=TELEGRAM))

    assert (wechat.platform, wechat.room_ids.ids) == ("wechat", {"room-all", "room-b3"})
    assert (telegram.platform, telegram.chat_ids.ids) == ("telegram", {"-1005", "-1009"})
    assert wechat.limits.min_interval_s == 1.0 and wechat.limits.max_text == 1500
    assert (telegram.limits.max_text, telegram.limits.text_choices) == (4096, False)


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        ({"wechat": {**WECHAT, "endpoint": "localhost"}},
         "section `wechat`: endpoint: Value error, must be host:port of the puppet service"),
        ({"wechat": {"endpoint": "127.0.0.1:8788"}}, "section `wechat`: token: Field required"),
        ({"wechat": {**WECHAT, "min_interval": 2}}, "section `wechat`: min_interval: Extra inputs are not permitted"),
        ({"telegram": {"token": "not a token"}}, "section `telegram`: token: Value error, must look like 123456789:AAE"),
        ({"telegram": {**TELEGRAM, "mode": "webhook"}},
         "section `telegram`: (section): Value error, mode webhook needs a `webhook` section"),
        ({"telegram": {**TELEGRAM, "mode": "webhook", "webhook": {"url": "http://bot.example.org/hook"}}},
         "section `telegram`: webhook.url: Value error, must be the public https:// address"),
        ({"telegram": {**TELEGRAM, "mode": "push"}}, "section `telegram`: mode: Input should be 'polling' or 'webhook'"),
    ],
)
def test_a_malformed_section_is_a_config_error_naming_section_and_field(sections, message):
    with pytest.raises(ConfigError) as caught:
        platform_adapters(settings(**sections))
    assert str(caught.value).startswith(message)


def test_chats_of_a_configured_platform_need_a_usable_id(tmp_path):
    config = (DATA / "platforms.yaml").read_text(encoding="utf-8")
    config = config.replace("platform: wechat, id: room-b3", "platform: wechat")
    config = config.replace("platform: telegram, id: -1009", "platform: telegram, id: leaders")
    path = tmp_path / "config.yaml"
    path.write_text(config, encoding="utf-8")

    with pytest.raises(ConfigError) as wechat:
        platform_adapters(load_settings(path, wechat=WECHAT))
    with pytest.raises(ConfigError) as telegram:
        platform_adapters(load_settings(path, telegram=TELEGRAM))

    assert str(wechat.value) == "chat b3: a wechat chat needs `id` (the room id the puppet service reports, e.g. " \
                                "12345678901@chatroom)"
    assert str(telegram.value) == "chat lead: a telegram chat id is a number, e.g. -1001234567890"


def test_check_lists_the_platforms_it_would_serve(tmp_path, capsys):
    config = (DATA / "platforms.yaml").read_text(encoding="utf-8")
    config += "wechat: {endpoint: '127.0.0.1:8788', token: t}\ntelegram: {token: '123:ABC', mode: polling}\n"
    path = tmp_path / "config.yaml"
    path.write_text(config, encoding="utf-8")

    assert main(["check", "--config", str(path), "--db", "sqlite://"]) == 0

    assert capsys.readouterr().out.splitlines()[-1] == (
        "平台：微信（puppet 服务 127.0.0.1:8788，2 个群）、Telegram（polling，2 个群）")
