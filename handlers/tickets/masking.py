"""Phone and ID-card numbers masked before a report is echoed into any chat.

The leaders' chat is a group chat too (often dozens of volunteers), so it gets the masked
text as well; the full text stays in the database and in the office's exports.
"""
from __future__ import annotations

import re

from storage.models import Chat

# \d also matches full-width digits, which voice input and some keyboards produce.
_ID_CARD = re.compile(r"(?<!\d)(\d{4})\d{10}(\d{3}[\dXxＸｘ])(?![\dA-Za-z])|(?<!\d)(\d{4})\d{7}(\d{4})(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)[\s-]?\d{4}[\s-]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}-?)\d{3,4}(\d{4})(?!\d)")


def mask(text: str) -> str:
    """The text with ID-card numbers (18 or 15 digits) and phone numbers partly hidden."""
    text = _ID_CARD.sub(_keep_ends, text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


def _keep_ends(match: re.Match) -> str:
    head, tail = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    return head + "*" * (len(match.group(0)) - len(head) - len(tail)) + tail


def shown(text: str | None, chat: Chat) -> str:
    """What a chat may see of a resident's words: numbers masked, in every chat."""
    return "" if text is None else mask(text)
