"""Recognising commands in chat text: ``#词``, ``＃词``, ``/alias`` or an @mention of the bot."""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from bot.router import Command, Registry

LATIN = re.compile(r"^/([A-Za-z][A-Za-z0-9_]{0,31})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+|$)")
NUMBERED_REPLY = re.compile(r"^(?:回复|选)?\s*(\d{1,2})$")


@dataclass(frozen=True, slots=True)
class CommandCall:
    """A message read as a command. ``command`` is None for an unknown word."""

    command: Command | None
    word: str
    args: str


def normalize(text: str) -> str:
    """Fold full-width forms (＃, ２７, ideographic spaces) to their ASCII equivalents."""
    return unicodedata.normalize("NFKC", text)


# Record numbers (claims, entries, redemptions, reminders) longer than this cannot exist, and
# would overflow a database integer: they are refused as malformed, not looked up.
MAX_RECORD_DIGITS = 9


def record_number(text: str) -> int | None:
    """A record's number as people write it (12, #12, ＃１２); None for anything else."""
    digits = normalize(text).strip().lstrip("#")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > MAX_RECORD_DIGITS:
        return None
    return int(digits)


def read_command(
    text: str, *, mentions_bot: bool, registry: Registry, bot_username: str | None = None
) -> CommandCall | None:
    """The command in ``text``, if it is addressed to the bot as one; None for plain talk.

    Arguments keep the sender's original characters (Chinese punctuation, full-width
    digits); handlers normalise the parts they read as numbers.
    """
    stripped = text.strip()
    if not stripped:
        return None
    first = stripped[0]
    if first in "#＃":
        body = stripped[1:].lstrip()
        found = registry.match(body)
        if found is not None:
            return CommandCall(found[0], found[0].name, found[1])
        word = re.split(r"\s", body, maxsplit=1)[0][:12]
        return CommandCall(None, word, "")
    if first in "/／":
        match = LATIN.match(normalize(stripped[:80]))
        if match is None:
            return None
        target = match.group(2)
        if target and bot_username and target.lower() != bot_username.lower():
            return None
        word = match.group(1)
        cmd = registry.match_latin(word)
        args = stripped[match.end():].strip() if cmd is not None else ""
        return CommandCall(cmd, word, args)
    if mentions_bot:
        found = registry.match(stripped)
        if found is not None:
            return CommandCall(found[0], found[0].name, found[1])
    return None


def numbered_reply(text: str) -> int | None:
    """The option number in a reply like "1", "２" or "回复 3"; None for anything else."""
    match = NUMBERED_REPLY.match(normalize(text.strip()))
    return int(match.group(1)) if match else None


def suggestions(word: str, registry: Registry, *, limit: int = 3) -> list[str]:
    """Command words that look like a mistyped one."""
    return difflib.get_close_matches(word, list(registry.commands), n=limit, cutoff=0.34)


def split_args(args: str) -> list[str]:
    """Arguments split on any whitespace, with full-width digits and letters folded."""
    return normalize(args).split()
