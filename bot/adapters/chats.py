"""The chats an adapter serves: those bound in the config; any other is named in the log once."""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)


class ConfiguredChats:
    def __init__(self, platform: str, ids: set[str]) -> None:
        self.platform = platform
        self.ids = set(ids)
        self._ignored: set[str] = set()

    def __len__(self) -> int:
        return len(self.ids)

    def serves(self, chat_id: str) -> bool:
        """True for a configured chat; for another, False and (the first time) a log line."""
        if chat_id in self.ids:
            return True
        if chat_id not in self._ignored:
            self._ignored.add(chat_id)
            log.warning("ignoring %s chat %s: it is not in the config", self.platform, chat_id)
        return False
