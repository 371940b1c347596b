"""Tickets: residents' reports followed from 待受理 to a rated resolution, with supports and history."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Enum, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class TicketStatus(StrEnum):
    """Where a ticket is on its way; the seven-step method's 收集 → 共评 in states."""

    pending = "pending"
    accepted = "accepted"
    in_progress = "in_progress"
    resolved = "resolved"
    rated = "rated"
    rejected = "rejected"
    duplicate = "duplicate"
    reopened = "reopened"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


STATUS_LABELS = {
    TicketStatus.pending: "待受理",
    TicketStatus.accepted: "已受理",
    TicketStatus.in_progress: "处理中",
    TicketStatus.resolved: "已办结",
    TicketStatus.rated: "已评价",
    TicketStatus.rejected: "已驳回",
    TicketStatus.duplicate: "重复",
    TicketStatus.reopened: "重新打开",
}

# Someone still has to act on these.
OPEN_STATUSES = frozenset(
    {TicketStatus.pending, TicketStatus.accepted, TicketStatus.in_progress, TicketStatus.reopened}
)


class Ticket(SQLModel, table=True):
    """One reported problem, numbered per community (#27)."""

    __table_args__ = (UniqueConstraint("community_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    number: int
    # Stored as plain text (no database enum type), read back as a TicketStatus.
    status: TicketStatus = Field(
        default=TicketStatus.pending, sa_type=Enum(TicketStatus, native_enum=False, length=16), index=True
    )
    category: str = Field(max_length=16)
    building_id: int | None = Field(default=None, foreign_key="building.id", index=True)
    grid_id: int | None = Field(default=None, foreign_key="grid.id", index=True)
    unit: str | None = Field(default=None, max_length=16)
    room: str | None = Field(default=None, max_length=16)
    urgent: bool = False
    text: str = Field(sa_type=Text)
    anonymous: bool = False
    reporter_id: int = Field(foreign_key="member.id", index=True)
    chat_id: int = Field(foreign_key="chat.id", index=True)
    images: list[str] = Field(default_factory=list, sa_type=JSON)
    assignee_id: int | None = Field(default=None, foreign_key="member.id")
    council: str | None = Field(default=None, max_length=32)
    # Where the assignment was made: the assignee was @mentioned there, so they can be asked there.
    assigned_chat_id: int | None = Field(default=None, foreign_key="chat.id")
    duplicate_of_id: int | None = Field(default=None, foreign_key="ticket.id")
    rating: int | None = None
    rated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
    # The last state change or progress note: overdue rules count from here.
    updated_at: datetime = Field(sa_type=UTCDateTime)


class TicketCounter(SQLModel, table=True):
    """The last short number given out in a community; its row lock hands out the next one."""

    __tablename__ = "ticket_counter"

    community_id: int = Field(foreign_key="community.id", primary_key=True)
    last_number: int = 0


class TicketSupport(SQLModel, table=True):
    """A resident's 附议 ("me too"), with the chat they are told about progress in."""

    __tablename__ = "ticket_support"
    __table_args__ = (UniqueConstraint("ticket_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    chat_id: int = Field(foreign_key="chat.id")
    created_at: datetime = Field(sa_type=UTCDateTime)


class TicketEvent(SQLModel, table=True):
    """One line of a ticket's history: who did what, when, from which state to which."""

    __tablename__ = "ticket_event"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    actor_id: int | None = Field(default=None, foreign_key="member.id")
    action: str = Field(max_length=16)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str | None = Field(default=None, max_length=16)
    note: str | None = Field(default=None, sa_type=Text)


class TicketReminder(SQLModel, table=True):
    """An overdue reminder already sent: one per ticket, kind and waiting period."""

    __tablename__ = "ticket_reminder"
    __table_args__ = (UniqueConstraint("ticket_id", "kind", "since"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    kind: str = Field(max_length=16)
    since: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime = Field(sa_type=UTCDateTime)


class TicketOffer(SQLModel, table=True):
    """The bot's offer to register a plain message as a ticket; also rate-limits offers per member."""

    __tablename__ = "ticket_offer"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    chat_id: int = Field(foreign_key="chat.id")
    text: str = Field(sa_type=Text)
    images: list[str] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
