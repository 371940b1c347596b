"""Phone and ID-card numbers masked before a report is echoed into any chat.

The leaders' chat is a group chat too (often dozens of volunteers), so it gets the masked
text as well; the full text stays in the database and in the office's exports. The outbox
masks mobile and ID-card numbers in everything (``bot/privacy.py``); reports also hide
landlines, which a resident may give as their own contact.
"""
from __future__ import annotations

import re

from bot.privacy import mask_personal
from storage.models import Chat

_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}-?)\d{3,4}(\d{4})(?!\d)")


def mask(text: str) -> str:
    """The text with ID-card numbers (18 or 15 digits) and phone numbers partly hidden."""
    return _LANDLINE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", mask_personal(text))


def shown(text: str | None, chat: Chat) -> str:
    """What a chat may see of a resident's words: numbers masked, in every chat."""
    return "" if text is None else mask(text)
