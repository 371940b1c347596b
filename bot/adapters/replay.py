"""Replay: a JSON-lines scenario played on a simulated clock; every sent message printed as JSON.

Input lines: ``{"at": ISO-8601 with offset, "chat": chat key, "sender": member id,
"name": display name, "text": ...}``; optional ``"id"`` (a platform message id, for
redelivery), ``"action"`` instead of ``"text"`` (a button press), ``"mention_bot": true``,
``"mentions": [member id, ...]`` (people @mentioned), ``"reply_to": "bot-12"`` (a reply to
the bot's message with outbox id 12), ``"reply_to_bot": true`` and ``"images": [path, ...]``. Output lines:
``{"at", "chat", "text", "mentions", "image"}``.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from bot.adapters.console import strip_bot_mention
from bot.events import ChoiceSelected, Event, Image, IncomingMessage, Outgoing
from bot.render import as_text


class ScenarioError(ValueError):
    """A scenario line that cannot be played."""


@dataclass(frozen=True, slots=True)
class ScenarioEvent:
    line_no: int
    event: Event


def read_scenario(lines: Iterable[str], *, source: str, bot_name: str, err: TextIO = sys.stderr) -> Iterator[ScenarioEvent]:
    """Parse scenario lines; a malformed one is reported on ``err`` with its number and skipped."""
    for line_no, raw in enumerate(lines, start=1):
        if not raw.strip() or raw.lstrip().startswith("//"):
            continue
        try:
            yield ScenarioEvent(line_no, parse_scenario_line(raw, bot_name=bot_name))
        except ScenarioError as exc:
            err.write(f"{source}:{line_no}: skipped: {exc}\n")


def parse_scenario_line(raw: str, *, bot_name: str) -> Event:
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"not JSON ({exc.msg})") from None
    if not isinstance(obj, dict):
        raise ScenarioError("each line must be a JSON object")
    for key in ("at", "chat", "sender"):
        if not isinstance(obj.get(key), str) or not obj[key].strip():
            raise ScenarioError(f"`{key}` is missing or not a string")
    try:
        at = datetime.fromisoformat(obj["at"])
    except ValueError:
        raise ScenarioError(f"`at` is not an ISO-8601 time: {obj['at']!r}") from None
    if at.tzinfo is None:
        raise ScenarioError("`at` needs a UTC offset, e.g. 2026-11-23T09:00:00+08:00")
    # Without a name the member keeps the one we know (a new member is shown by their id).
    name = obj.get("name") if isinstance(obj.get("name"), str) else ""
    message_id = str(obj["id"]) if obj.get("id") is not None else None
    if isinstance(obj.get("action"), str):
        return ChoiceSelected("console", obj["chat"], obj["sender"], name, obj["action"], at, message_id)
    text = obj.get("text", "")
    if not isinstance(text, str):
        raise ScenarioError("`text` must be a string")
    images = obj.get("images") or []
    if not isinstance(images, list) or not all(isinstance(i, str) for i in images):
        raise ScenarioError("`images` must be a list of paths")
    if not text and not images:
        raise ScenarioError("a line needs `text`, `images` or `action`")
    mentions = obj.get("mentions") or []
    if not isinstance(mentions, list) or not all(isinstance(m, str) for m in mentions):
        raise ScenarioError("`mentions` must be a list of member ids")
    reply_to = obj.get("reply_to")
    if reply_to is not None and not isinstance(reply_to, str):
        raise ScenarioError("`reply_to` must be a message id string")
    text, mentioned = strip_bot_mention(text, bot_name)
    return IncomingMessage(
        platform="console", chat_id=obj["chat"], sender_id=obj["sender"], sender_name=name, text=text, at=at,
        message_id=message_id, mentions=tuple(mentions), mentions_bot=bool(obj.get("mention_bot")) or mentioned,
        reply_to=reply_to, reply_to_bot=bool(obj.get("reply_to_bot")) or bool(reply_to and reply_to.startswith("bot-")),
        images=tuple(Image(i) for i in images),
    )


def outgoing_json(outgoing: Outgoing, *, tz) -> str:
    """One output line: what was sent, where and when."""
    return json.dumps(
        {
            "at": outgoing.at.astimezone(tz).isoformat(),
            "chat": outgoing.chat_key,
            "text": as_text(outgoing),
            "mentions": [m.user_id for m in outgoing.mentions],
            "image": outgoing.image,
        },
        ensure_ascii=False,
    )
