"""Button data for Telegram's inline keyboards: compact, versioned and signed, within 64 bytes.

Version 1 carries the action itself: ``1`` + 8 characters of MAC + ``binding.approve:12``.
Version 2, for an action too long to fit, names the option of the stored bot message
instead: ``2`` + MAC + ``<outbox id>.<option>``; the dispatcher reads the action from the
outbox. The MAC (HMAC-SHA256 with a key derived from the bot token, cut to 48 bits) covers
the version, the chat and the payload, so data cannot be forged or moved to another chat;
a new token makes old buttons stale. Anything that does not verify decodes to None.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

LIMIT = 64  # bytes of callback_data Telegram accepts
MAC_CHARS = 8
INLINE, STORED = "1", "2"
STORED_PAYLOAD = re.compile(r"^(\d{1,12})\.(\d{1,2})$")


@dataclass(frozen=True, slots=True)
class Pressed:
    """What a verified button stands for: an action, or option ``index`` of outbox message ``outbox_id``."""

    action: str = ""
    outbox_id: int | None = None
    index: int | None = None

    @property
    def choice_of(self) -> tuple[int, int] | None:
        return None if self.outbox_id is None else (self.outbox_id, self.index)


class CallbackCodec:
    def __init__(self, token: str) -> None:
        self._key = hmac.new(token.encode(), b"cocreate telegram callback data", hashlib.sha256).digest()

    def encode(self, *, chat_id: int, action: str, outbox_id: int, index: int) -> str:
        """The shortest signed form: the action inline if it fits, else a reference to the stored option."""
        data = INLINE + self._mac(INLINE, chat_id, action) + action
        if len(data.encode()) <= LIMIT:
            return data
        payload = f"{outbox_id}.{index}"
        return STORED + self._mac(STORED, chat_id, payload) + payload

    def decode(self, data: str | None, *, chat_id: int) -> Pressed | None:
        """The verified meaning of button data pressed in ``chat_id``; None if forged, stale or malformed."""
        if not data or len(data.encode()) > LIMIT or len(data) <= 1 + MAC_CHARS:
            return None
        version, mac, payload = data[0], data[1:1 + MAC_CHARS], data[1 + MAC_CHARS:]
        if version not in (INLINE, STORED) or not hmac.compare_digest(mac, self._mac(version, chat_id, payload)):
            return None
        if version == INLINE:
            return Pressed(action=payload)
        match = STORED_PAYLOAD.match(payload)
        return Pressed(outbox_id=int(match[1]), index=int(match[2])) if match else None

    def _mac(self, version: str, chat_id: int, payload: str) -> str:
        digest = hmac.new(self._key, f"{version}|{chat_id}|{payload}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:6]).decode()
