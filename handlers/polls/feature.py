"""The polls feature's router and its configuration section ``polls``."""
from __future__ import annotations

from datetime import time

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.router import Router


class PollsConfig(BaseModel):
    """Section ``polls`` of the config file."""

    model_config = ConfigDict(extra="forbid")

    # Households that must support a proposal before staff are asked to turn it into a poll.
    proposal_supports: int = Field(default=10, ge=1)
    # A poll written without 截止 closes this many days later, at ``date_only_time``.
    default_days: int = Field(default=3, ge=1)
    # A deadline with a date but no time of day (11月30日, 3天后) means the end of that day.
    date_only_time: time = time(23, 59)
    # Nothing runs for months: a deadline further away is refused as a likely typo.
    max_days: int = Field(default=60, ge=1)
    # Turnout reminders, hours before the deadline.
    nudge_hours: list[int] = Field(default_factory=lambda: [24, 2])

    @field_validator("date_only_time", mode="before")
    @classmethod
    def _quoted(cls, value):
        # YAML reads an unquoted 23:59 as the number 1439 (base 60).
        if isinstance(value, int):
            raise ValueError('write the time in quotes, e.g. "23:59"')
        return value

    @field_validator("nudge_hours")
    @classmethod
    def _positive(cls, value: list[int]) -> list[int]:
        if any(h <= 0 for h in value):
            raise ValueError("nudge hours must be positive")
        return sorted(set(value), reverse=True)


router = Router("投票", config_key="polls", config_model=PollsConfig)


def config(ctx) -> PollsConfig:
    return ctx.config("polls")
