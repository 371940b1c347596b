"""Which platforms a process serves: every configured one (``wechat``, ``telegram``) at once."""
from __future__ import annotations

import logging

from bot.config import ConfigError, Settings, validate_section

log = logging.getLogger(__name__)

PLATFORMS = ("wechat", "telegram")


def configured_platforms(settings: Settings) -> list[str]:
    """The platforms with a section in the config (``wechat:``, ``telegram:``)."""
    return [p for p in PLATFORMS if settings.section(p)]


def platform_adapters(settings: Settings) -> list:
    """One adapter per configured platform, each serving the chats bound to it.

    Config mistakes are reported before anything connects: a malformed section, or a chat
    of that platform without a usable ``id``.
    """
    adapters = []
    platforms = configured_platforms(settings)
    if "wechat" in platforms:
        from bot.adapters.wechat.adapter import WechatAdapter
        from bot.adapters.wechat.config import WechatConfig

        config = validate_section(settings, "wechat", WechatConfig)
        adapters.append(WechatAdapter(config, room_ids=chat_ids(settings, "wechat"), bot_name=settings.bot_name,
                                      data_dir=settings.data_dir))
    if "telegram" in platforms:
        from bot.adapters.telegram.adapter import TelegramAdapter
        from bot.adapters.telegram.config import TelegramConfig

        config = validate_section(settings, "telegram", TelegramConfig)
        adapters.append(TelegramAdapter(config, chat_ids=chat_ids(settings, "telegram"), data_dir=settings.data_dir))
    for community in settings.communities:
        for chat in community.chats:
            if chat.platform in PLATFORMS and chat.platform not in platforms:
                log.warning("chat %s is on %s, which has no `%s` section: its messages wait in the outbox",
                            chat.key, chat.platform, chat.platform)
    return adapters


def chat_ids(settings: Settings, platform: str) -> set[str]:
    """The platform ids of the chats bound to ``platform``; each must be given, Telegram's as a number."""
    ids, problems = set(), []
    for community in settings.communities:
        for chat in community.chats:
            if chat.platform != platform:
                continue
            if not chat.id:
                problems.append(f"chat {chat.key}: a {platform} chat needs `id` ({_ID_HINT[platform]})")
            elif platform == "telegram" and not chat.id.lstrip("-").isdigit():
                problems.append(f"chat {chat.key}: a telegram chat id is a number, e.g. -1001234567890")
            else:
                ids.add(chat.id)
    if problems:
        raise ConfigError("\n".join(problems))
    return ids


_ID_HINT = {
    "wechat": "the room id the puppet service reports, e.g. 12345678901@chatroom",
    "telegram": "the group's chat id, e.g. -1001234567890",
}
