"""Reading WeChat room messages: the bot's @mention, quoted replies, and the bot's recent messages."""
from __future__ import annotations

import re
from collections import OrderedDict, deque
from dataclasses import dataclass

MENTION_END = "\u2005"  # WeChat ends an @mention with a four-per-em space
# How puppet services on the iPad protocol render a quoted reply as text:
#   「张阿姨：原来的话」\n- - - - - - - - - - - - - - -\n回复的话
QUOTE = re.compile(r"^「(?P<name>[^：」\n]{1,64})：(?P<quoted>.*?)」\s*\n(?:- ){5,}-?[ \t]*\n(?P<text>.*)$", re.S)


@dataclass(frozen=True, slots=True)
class Quote:
    """A reply quoting an earlier message: who wrote it, what it said, and the new text."""

    name: str
    quoted: str
    text: str


def read_quote(text: str) -> Quote | None:
    match = QUOTE.match(text)
    if match is None:
        return None
    return Quote(match["name"].strip(), match["quoted"].strip(), match["text"].strip())


def strip_self_mention(text: str, names: set[str]) -> tuple[str, bool]:
    """Remove the first @mention of the bot (by any of its names); True when there was one."""
    for name in sorted(filter(None, names), key=len, reverse=True):
        for tag in (f"@{name}{MENTION_END}", f"@{name} ", f"@{name}\u3000"):
            at = text.find(tag)
            if at != -1:
                return (text[:at] + text[at + len(tag):]).strip(), True
        if text.strip() == f"@{name}":
            return "", True
    return text, False


class RecentIds:
    """Message ids seen lately (a reconnecting service may deliver some twice)."""

    def __init__(self, size: int = 5000) -> None:
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def seen(self, message_id: str) -> bool:
        """True if ``message_id`` was seen before; remembers it either way."""
        if message_id in self._ids:
            return True
        self._ids[message_id] = None
        if len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return False


class SentIndex:
    """The bot's recent messages per room, to tell which one a quoted reply answers."""

    def __init__(self, per_room: int = 200) -> None:
        self.per_room = per_room
        self._rooms: dict[str, deque[tuple[str, str]]] = {}

    def add(self, room_id: str, message_id: str, text: str) -> None:
        if message_id:
            self._rooms.setdefault(room_id, deque(maxlen=self.per_room)).append((message_id, _plain(text)))

    def find(self, room_id: str, quoted: str) -> str | None:
        """The newest message whose text contains the quoted text (WeChat may shorten a quote)."""
        wanted = _plain(quoted).rstrip(".…")
        if not wanted:
            return None
        for message_id, text in reversed(self._rooms.get(room_id, ())):
            if wanted in text:
                return message_id
        return None


def _plain(text: str) -> str:
    """Text without @mentions and line breaks, for comparing a quote with what was sent."""
    text = re.sub(rf"@[^@{MENTION_END}\s]+{MENTION_END}", "", text)
    return re.sub(r"\s+", "", text)
