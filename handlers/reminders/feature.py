"""The reminders feature's router and its config section (``reminders:`` in the config file)."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.router import Router
from storage.models import Reminder

MAX_HOLIDAY_RANGE_DAYS = 31


class RemindersConfig(BaseModel):
    """Holidays, the missed-run grace, and limits."""

    model_config = ConfigDict(extra="forbid")

    # Dates recurring reminders skip: "2026-10-01", or a range "2026-10-01..2026-10-07".
    holidays: list[date] = []
    # Whether a new recurring reminder skips holidays unless it says otherwise (节假日照常).
    skip_holidays: bool = True
    # A run missed while the bot was down is sent late within this time, else skipped.
    grace_minutes: int = Field(default=60, ge=1, le=24 * 60)
    max_per_chat: int = Field(default=50, ge=1)  # active or paused, whoever set them
    max_personal: int = Field(default=10, ge=1)  # a member's reminders for themselves
    max_checkin_hours: int = Field(default=12, ge=1, le=24)

    @field_validator("holidays", mode="before")
    @classmethod
    def _expand_ranges(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        days: list[Any] = []
        for item in value:
            if isinstance(item, str) and ".." in item:
                first, last = (date.fromisoformat(part.strip()) for part in item.split("..", 1))
                if not 0 <= (last - first).days <= MAX_HOLIDAY_RANGE_DAYS:
                    raise ValueError(f"holiday range {item!r} must run forward and span at most "
                                     f"{MAX_HOLIDAY_RANGE_DAYS} days")
                days.extend(first + timedelta(days=n) for n in range((last - first).days + 1))
            else:
                days.append(item)
        return days

    def skips(self, reminder: Reminder, day: date) -> bool:
        """Whether the reminder stays silent on that day (a holiday it was set to skip)."""
        return reminder.recurring and reminder.skip_holidays and day in self.holidays


router = Router("提醒", config_key="reminders", config_model=RemindersConfig)
