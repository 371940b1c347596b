"""Polls, their ballots, fee collections that follow a decision, and residents' proposals."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class PollKind(StrEnum):
    """Who holds a vote: each person (quick), each household, or each owner under Art. 278 (formal)."""

    quick = "quick"
    household = "household"
    formal = "formal"


class Poll(SQLModel, table=True):
    """One question put to the buildings in its scope, posted to one or more chats, counted once."""

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    kind: PollKind = Field(sa_type=String(16))
    question: str = Field(max_length=200)
    options: list[str] = Field(default_factory=list, sa_type=JSON)
    # How many options one ballot may hold; 1 is a single-choice poll.
    max_choices: int = 1
    named: bool = False
    hide_results: bool = False
    # Formal decisions only: a special matter (Art. 278 items 6-8) needs 3/4 instead of a majority.
    special: bool = False
    deadline: datetime = Field(sa_type=UTCDateTime, index=True)
    status: str = Field(default="open", max_length=16, index=True)
    outcome: str | None = Field(default=None, max_length=16)
    created_by_id: int = Field(foreign_key="member.id")
    chat_id: int = Field(foreign_key="chat.id")
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PollBuilding(SQLModel, table=True):
    """A building whose households may vote in a poll (its scope, fixed at creation)."""

    __tablename__ = "poll_building"
    __table_args__ = (UniqueConstraint("poll_id", "building_id"),)

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    building_id: int = Field(foreign_key="building.id")


class PollChat(SQLModel, table=True):
    """A chat a poll was posted to; votes come from and results go to each of them."""

    __tablename__ = "poll_chat"
    __table_args__ = (UniqueConstraint("poll_id", "chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    chat_id: int = Field(foreign_key="chat.id", index=True)


class Ballot(SQLModel, table=True):
    """The vote that counts for one voter: a person ("member:12") or a household ("household:5").

    The unique key is what makes concurrent votes count once: every write is an upsert on
    it, so the latest vote replaces the earlier one on SQLite and PostgreSQL alike.
    """

    __table_args__ = (UniqueConstraint("poll_id", "voter"),)

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    voter: str = Field(max_length=32)
    member_id: int = Field(foreign_key="member.id")
    household_id: int | None = Field(default=None, foreign_key="household.id")
    # The household's building, or the building chat an unbound resident voted from.
    building_id: int | None = Field(default=None, foreign_key="building.id")
    choices: list[int] = Field(default_factory=list, sa_type=JSON)
    cast_at: datetime = Field(sa_type=UTCDateTime)


class PollVoter(SQLModel, table=True):
    """A member who has voted in a poll at least once (so poll.voted is emitted once)."""

    __tablename__ = "poll_voter"
    __table_args__ = (UniqueConstraint("poll_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    first_at: datetime = Field(sa_type=UTCDateTime)


class FeeCollection(SQLModel, table=True):
    """Money every household in a passed poll's scope pays (每户50元), tracked by building leaders."""

    __tablename__ = "fee_collection"

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", unique=True)
    title: str = Field(max_length=100)
    amount_fen: int
    opened_by_id: int = Field(foreign_key="member.id")
    opened_at: datetime = Field(sa_type=UTCDateTime)


class FeePayment(SQLModel, table=True):
    """A household's payment, recorded once by a leader of its building."""

    __tablename__ = "fee_payment"
    __table_args__ = (UniqueConstraint("collection_id", "household_id"),)

    id: int | None = Field(default=None, primary_key=True)
    collection_id: int = Field(foreign_key="fee_collection.id", index=True)
    household_id: int = Field(foreign_key="household.id")
    recorded_by_id: int = Field(foreign_key="member.id")
    recorded_at: datetime = Field(sa_type=UTCDateTime)


class Proposal(SQLModel, table=True):
    """A resident's suggestion that becomes a poll once enough households support it."""

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    text: str = Field(max_length=200)
    member_id: int = Field(foreign_key="member.id")
    chat_id: int = Field(foreign_key="chat.id")
    # open -> offered (enough support, staff asked) -> polled (turned into a poll)
    status: str = Field(default="open", max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime)
    offered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ProposalSupport(SQLModel, table=True):
    """One household's support for a proposal."""

    __tablename__ = "proposal_support"
    __table_args__ = (UniqueConstraint("proposal_id", "household_id"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    household_id: int = Field(foreign_key="household.id")
    member_id: int = Field(foreign_key="member.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
