"""Platform-neutral events coming in and replies going out.

Adapters translate platform traffic into these and render the replies back; nothing past
the adapter knows which platform a message came from beyond the ``platform`` string.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Image:
    """A picture, as a local file path or a platform reference the adapter can fetch."""

    ref: str
    mime: str = "image/png"


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """A message posted in a chat."""

    platform: str
    chat_id: str
    sender_id: str
    sender_name: str
    text: str
    at: datetime
    message_id: str | None = None
    mentions: tuple[str, ...] = ()
    mentions_bot: bool = False
    reply_to: str | None = None
    reply_to_bot: bool = False
    images: tuple[Image, ...] = ()


@dataclass(frozen=True, slots=True)
class ChoiceSelected:
    """A member picked one of the bot's choices (a button press, or a numbered reply)."""

    platform: str
    chat_id: str
    sender_id: str
    sender_name: str
    action: str
    at: datetime
    message_id: str | None = None
    # (outbox id, option index) when the platform could not carry the action itself:
    # the action is then read from that bot message's stored choices.
    choice_of: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class MembersJoined:
    """People joined a chat."""

    platform: str
    chat_id: str
    members: tuple[tuple[str, str], ...]
    at: datetime
    message_id: str | None = None


Event = IncomingMessage | ChoiceSelected | MembersJoined


@dataclass(frozen=True, slots=True)
class Choice:
    """One option under a reply: a label people see and the action it triggers."""

    label: str
    action: str


@dataclass(frozen=True, slots=True)
class Mention:
    """A member to @mention: their platform user id in the target chat and a name to show."""

    member_id: int
    user_id: str | None
    name: str


@dataclass(slots=True)
class Reply:
    """What a handler wants said. ``chat_id`` None means the chat the event came from."""

    text: str
    chat_id: int | None = None
    mentions: tuple[int, ...] = ()
    image: str | None = None
    choices: tuple[Choice, ...] = ()
    choices_for: int | None = None
    broadcast: bool = False
    urgent: bool = False
    tag: str | None = None


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A reply resolved to a concrete chat, ready for an adapter to send."""

    outbox_id: int
    platform: str
    chat_key: str
    chat_name: str
    chat_external_id: str
    text: str
    at: datetime
    mentions: tuple[Mention, ...] = ()
    image: str | None = None
    choices: tuple[Choice, ...] = field(default_factory=tuple)
    urgent: bool = False
    tag: str | None = None
    # Parts of a split message already sent by an earlier attempt (or process).
    parts_sent: int = 0
