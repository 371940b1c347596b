"""The long-lived pieces a unit of work needs, built once per process by the runtime."""
from __future__ import annotations

import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session

from bot.clock import Clock
from bot.config import Settings
from bot.router import Registry
from storage.models import Chat, Community, Member
from storage.repo import community as community_repo

if TYPE_CHECKING:
    from bot.scheduler import Scheduler

log = logging.getLogger(__name__)


class ChatCache:
    """Chats and their communities by platform id, loaded once and shared as read-only snapshots.

    Both come from the config and change only when it is reloaded, so a short time to live
    is enough for several workers to see a change. Handlers get the detached snapshots
    themselves: they read them and never change them through the ORM.
    """

    TTL_S = 60.0

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str], tuple[Chat | None, Community | None, float]] = {}
        # One snapshot per community, however many of its chats are loaded (a district has thousands).
        self._communities: dict[int, tuple[Community, float]] = {}

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
                session.expunge(chat)
                hit = (chat, self._community(session, chat.community_id), time.monotonic() + self.TTL_S)
            self._rows[key] = hit
        if hit[0] is None:
            return None
        # Read-only snapshots, shared rather than attached: no feature changes a chat or a community
        # through the ORM (settings change by UPDATE, then ``forget``), and attaching both cost a
        # third of a plain message's handling.
        return hit[0], hit[1]

    def _community(self, session: Session, community_id: int) -> Community:
        known = self._communities.get(community_id)
        if known is None or known[1] < time.monotonic():
            community = community_repo.community(session, community_id=community_id)
            session.expunge(community)
            known = self._communities[community_id] = (community, time.monotonic() + self.TTL_S)
        return known[0]

    def forget(self) -> None:
        """Drop every snapshot, e.g. after a handler changed a chat's settings."""
        self._rows.clear()
        self._communities.clear()


class MemberCache:
    """Senders by platform id, attached to each event's session without a query.

    Every message starts by finding its sender, and that lookup cost as much as the rest of
    a plain message's handling. A member written through any session of this process is
    evicted at once (``evict``); other processes (a second worker, a roster import) are seen
    within ``TTL_S`` seconds. The least recently used entries go beyond ``MAX_ENTRIES``.
    """

    TTL_S = 10.0
    MAX_ENTRIES = 20_000

    def __init__(self) -> None:
        self._rows: OrderedDict[tuple[str, str], tuple[Member, float]] = OrderedDict()
        self._key_of: dict[int, tuple[str, str]] = {}

    def get(self, session: Session, *, platform: str, external_id: str) -> Member | None:
        """The member behind a platform id attached to ``session``; None for someone never seen."""
        key = (platform, external_id)
        hit = self._rows.get(key)
        if hit is not None and hit[1] >= time.monotonic():
            self._rows.move_to_end(key)
            return session.merge(hit[0], load=False)
        member = community_repo.member_for(session, platform=platform, external_id=external_id)
        if member is not None:
            self._rows[key] = (_detached_copy(member), time.monotonic() + self.TTL_S)
            self._key_of[member.id] = key
            if len(self._rows) > self.MAX_ENTRIES:
                _old_key, (old, _) = self._rows.popitem(last=False)
                self._key_of.pop(old.id, None)
        return member

    def evict(self, member_ids: set[int]) -> None:
        """Forget the members with these ids (they were just written)."""
        for member_id in member_ids:
            key = self._key_of.pop(member_id, None)
            if key is not None:
                self._rows.pop(key, None)

    def __len__(self) -> int:
        return len(self._rows)


_MEMBER_COLUMNS = tuple(c.key for c in Member.__table__.columns)


def _detached_copy(member: Member) -> Member:
    """A copy made as the ORM makes a loaded row (no constructor: it validates and costs more than the query)."""
    copy = Member._sa_class_manager.new_instance()
    vars(copy).update({key: getattr(member, key) for key in _MEMBER_COLUMNS})
    make_transient_to_detached(copy)
    return copy


@event.listens_for(Session, "after_flush")
def _evict_written_members(session: Session, _flush_context) -> None:
    cache = session.info.get("member_cache")
    if cache is not None:
        written = {o.id for o in (*session.new, *session.dirty, *session.deleted) if isinstance(o, Member)}
        cache.evict(written)


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
    members: MemberCache = field(default_factory=MemberCache)

    def require_scheduler(self) -> "Scheduler":
        if self.scheduler is None:
            raise RuntimeError("this command runs without a scheduler")
        return self.scheduler

    def mention_platform(self, chat_platform: str) -> str:
        return self.simulated_platform or chat_platform
