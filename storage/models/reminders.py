"""Reminders, the chats they go to, each sending, and the check-ins it collects."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class ReminderStatus(StrEnum):
    """Where a reminder is in its life; only active ones have a scheduled job."""

    active = "active"
    paused = "paused"
    done = "done"  # a one-shot that has been sent (or whose time passed while the bot was down)
    cancelled = "cancelled"


LIVE_STATUSES = (ReminderStatus.active, ReminderStatus.paused)


class Reminder(SQLModel, table=True):
    """A message sent on a schedule (job ``reminder:<id>``) to one or more chats."""

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    creator_id: int = Field(foreign_key="member.id", index=True)
    # Where it was set: replies about it and a resident's own reminder go here.
    chat_id: int = Field(foreign_key="chat.id")
    text: str = Field(sa_type=Text)
    # bot.when's to_spec() of the schedule, rebuilt with from_spec() whenever a trigger is needed.
    schedule: dict[str, Any] = Field(sa_type=JSON)
    recurring: bool
    skip_holidays: bool
    checkin_minutes: int | None = None
    # A resident's reminder for themselves: sent in the chat with an @mention of the creator.
    personal: bool = False
    status: ReminderStatus = Field(default=ReminderStatus.active, sa_type=String(16), index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ReminderChat(SQLModel, table=True):
    """One chat a reminder is sent to."""

    __tablename__ = "reminder_chat"
    __table_args__ = (UniqueConstraint("reminder_id", "chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    reminder_id: int = Field(foreign_key="reminder.id", index=True)
    chat_id: int = Field(foreign_key="chat.id", index=True)


class ReminderOccurrence(SQLModel, table=True):
    """One sending of a reminder, with the check-in window it opened (if any)."""

    __tablename__ = "reminder_occurrence"
    __table_args__ = (UniqueConstraint("reminder_id", "scheduled_at"),)

    id: int | None = Field(default=None, primary_key=True)
    reminder_id: int = Field(foreign_key="reminder.id", index=True)
    scheduled_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime = Field(sa_type=UTCDateTime)
    late: bool = False
    checkin_opens_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    checkin_closes_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


class ReminderCheckin(SQLModel, table=True):
    """A member's attendance at one occurrence (unique: once each per occurrence)."""

    __tablename__ = "reminder_checkin"
    __table_args__ = (UniqueConstraint("occurrence_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    occurrence_id: int = Field(foreign_key="reminder_occurrence.id", index=True)
    reminder_id: int = Field(foreign_key="reminder.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    chat_id: int = Field(foreign_key="chat.id")
    checked_in_at: datetime = Field(sa_type=UTCDateTime)
