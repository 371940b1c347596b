"""Phone and ID-card numbers hidden in everything the bot says in a chat.

Every chat the bot is in is a group chat, so whatever a member typed and the bot repeats
(a poll question, a reminder, a refused argument, a display name) is masked on its way into
the outbox. The full text stays in the database and in the office's exports.
"""
from __future__ import annotations

import re

# \d also matches full-width digits, which voice input and some keyboards produce.
ID_CARD = re.compile(r"(?<!\d)(\d{4})\d{10}(\d{3}[\dXxＸｘ])(?![\dA-Za-z])|(?<!\d)(\d{4})\d{7}(\d{4})(?!\d)")
MOBILE = re.compile(r"(?<!\d)([1１][3-9３-９]\d)[\s\-－]?\d{4}[\s\-－]?(\d{4})(?!\d)")


def mask_personal(text: str) -> str:
    """The text with ID-card numbers (18 or 15 digits) and mobile numbers partly hidden."""
    text = ID_CARD.sub(_keep_ends, text)
    return MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


def _keep_ends(match: re.Match) -> str:
    head, tail = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    return head + "*" * (len(match.group(0)) - len(head) - len(tail)) + tail
