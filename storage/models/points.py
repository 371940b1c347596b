"""Points (积分): an append-only ledger, a cached balance per member, claims, rewards and redemptions."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class PointEntry(SQLModel, table=True):
    """One line of the ledger; never updated or deleted (a correction is a reversing entry)."""

    __tablename__ = "point_entry"
    __table_args__ = (
        # Automatic awards name their source event (checkin:12, ticket:5): one entry per source.
        UniqueConstraint("community_id", "source"),
        Index("ix_point_entry_community_at", "community_id", "at"),
        Index("ix_point_entry_member_at", "member_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    member_id: int = Field(foreign_key="member.id")
    amount: int
    rule: str = Field(max_length=32)
    reason: str = Field(default="", max_length=200)
    approved_by_id: int | None = Field(default=None, foreign_key="member.id")
    at: datetime = Field(sa_type=UTCDateTime)
    source: str | None = Field(default=None, max_length=64)
    reverses_id: int | None = Field(default=None, foreign_key="point_entry.id", unique=True)


class PointBalance(SQLModel, table=True):
    """The ledger's sum per member, kept in the same transaction as each entry (checked by #积分核对)."""

    __tablename__ = "point_balance"

    member_id: int = Field(foreign_key="member.id", primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    balance: int = 0


class PointClaim(SQLModel, table=True):
    """A resident's #申请积分, waiting for a leader over their building."""

    __tablename__ = "point_claim"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    rule: str = Field(max_length=32)
    quantity: float = 1
    amount: int
    note: str = Field(default="", max_length=200)
    chat_id: int | None = Field(default=None, foreign_key="chat.id")
    status: str = Field(default="pending", max_length=16, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    decided_by_id: int | None = Field(default=None, foreign_key="member.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str | None = Field(default=None, max_length=200)
    entry_id: int | None = Field(default=None, foreign_key="point_entry.id")


class Reward(SQLModel, table=True):
    """A good in the catalogue (卫生纸, 洗衣液): its price in points and what is left."""

    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    name: str = Field(max_length=32)
    cost: int
    stock: int = 0


class Redemption(SQLModel, table=True):
    """Points exchanged for a reward; staff confirm the handover."""

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    reward_id: int = Field(foreign_key="reward.id")
    cost: int
    entry_id: int = Field(foreign_key="point_entry.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    handed_by_id: int | None = Field(default=None, foreign_key="member.id")
    handed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
