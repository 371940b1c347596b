"""The long-lived pieces a unit of work needs, built once per process by the runtime."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine

from bot.clock import Clock
from bot.config import Settings
from bot.router import Registry

if TYPE_CHECKING:
    from bot.scheduler import Scheduler


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

    def require_scheduler(self) -> "Scheduler":
        if self.scheduler is None:
            raise RuntimeError("this command runs without a scheduler")
        return self.scheduler

    def mention_platform(self, chat_platform: str) -> str:
        return self.simulated_platform or chat_platform
