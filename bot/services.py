"""The long-lived pieces a unit of work needs, built once per process by the runtime."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import Clock
from bot.config import Settings
from bot.router import Registry
from storage.models import Chat, Community
from storage.repo import community as community_repo

if TYPE_CHECKING:
    from bot.scheduler import Scheduler

log = logging.getLogger(__name__)


class ChatCache:
    """Chats and their communities by platform id, loaded once and attached per session.

    Both come from the config and change only when it is reloaded, so a short time to live
    is enough for several workers to see a change; ``merge(load=False)`` attaches the
    snapshot to each event's session without a query.
    """

    TTL_S = 60.0

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str], tuple[Chat | None, Community | None, float]] = {}

    def get(self, session: Session, *, platform: str, external_id: str) -> tuple[Chat, Community] | None:
        """The chat and its community attached to ``session``; None (logged once) for an unknown chat."""
        key = (platform, external_id)
        hit = self._rows.get(key)
        if hit is None or hit[2] < time.monotonic():
            chat = community_repo.chat_for(session, platform=platform, external_id=external_id)
            if chat is None:
                if hit is None:
                    log.warning("ignoring %s chat %s: it is not in the config", platform, external_id)
                hit = (None, None, time.monotonic() + self.TTL_S)
            else:
                community = community_repo.community(session, community_id=chat.community_id)
                session.expunge(chat)
                session.expunge(community)
                hit = (chat, community, time.monotonic() + self.TTL_S)
            self._rows[key] = hit
        if hit[0] is None:
            return None
        return session.merge(hit[0], load=False), session.merge(hit[1], load=False)

    def forget(self) -> None:
        """Drop every snapshot, e.g. after a handler changed a chat's settings."""
        self._rows.clear()


@dataclass
class Services:
    """Settings, registry, clock, database engine and scheduler shared by every event."""

    settings: Settings
    registry: Registry
    clock: Clock
    engine: Engine
    feature_config: dict[str, Any] = field(default_factory=dict)
    scheduler: "Scheduler | None" = None
    # Under console and replay every chat is simulated: mentions resolve to console ids.
    simulated_platform: str | None = None
    bot_username: str | None = None
    chats: ChatCache = field(default_factory=ChatCache)

    def require_scheduler(self) -> "Scheduler":
        if self.scheduler is None:
            raise RuntimeError("this command runs without a scheduler")
        return self.scheduler

    def mention_platform(self, chat_platform: str) -> str:
        return self.simulated_platform or chat_platform
