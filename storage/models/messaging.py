"""What came in (for idempotency) and what goes out (the transactional outbox)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class ProcessedMessage(SQLModel, table=True):
    """A platform message already handled; a redelivery finds its row and does nothing."""

    __tablename__ = "processed_message"
    __table_args__ = (UniqueConstraint("platform", "chat_external_id", "message_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    chat_external_id: str = Field(max_length=128)
    message_id: str = Field(max_length=128)
    handled_at: datetime = Field(sa_type=UTCDateTime)


class Outbox(SQLModel, table=True):
    """A message the bot will send, written in the same transaction as the change it reports."""

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(foreign_key="chat.id", index=True)
    text: str = Field(sa_type=Text)
    mentions: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    image: str | None = Field(default=None, max_length=500)
    choices: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    # The one member the choices are for (None: anyone in the chat may pick).
    choices_for: int | None = Field(default=None, foreign_key="member.id")
    urgent: bool = False
    # What the message is about ("ticket:27", "poll:3"), so a reply to it can find its subject.
    tag: str | None = Field(default=None, max_length=64, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    not_before: datetime = Field(sa_type=UTCDateTime, index=True)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    # How many parts of a message split for its platform are already out (resume there).
    parts_sent: int = 0
    platform_message_id: str | None = Field(default=None, max_length=128, index=True)
    # Until then, the worker that took the row for sending owns it (several workers, one sender).
    leased_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PendingChoice(SQLModel, table=True):
    """Numbered options shown as text; a later "1" from the right member picks an action."""

    __tablename__ = "pending_choice"

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(foreign_key="chat.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    actions: list[str] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
