"""The community's structure and people: buildings, households, chats, members and roles."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class Role(StrEnum):
    """What a member may do; ordered from least to most authority."""

    resident = "resident"
    building_leader = "building_leader"
    grid_leader = "grid_leader"
    staff = "staff"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.resident: "居民",
    Role.building_leader: "楼栋长",
    Role.grid_leader: "网格长",
    Role.staff: "社区工作者",
}


class ChatKind(StrEnum):
    """Which part of the community a chat speaks for (the "1+N" arrangement)."""

    community = "community"
    compound = "compound"
    grid = "grid"
    building = "building"
    leaders = "leaders"


class Community(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=100)


class Compound(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("community_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    key: str = Field(max_length=64)
    name: str = Field(max_length=100)


class Grid(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("community_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    key: str = Field(max_length=64)
    name: str = Field(max_length=100)


class Building(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("community_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    compound_id: int | None = Field(default=None, foreign_key="compound.id")
    grid_id: int | None = Field(default=None, foreign_key="grid.id", index=True)
    number: str = Field(max_length=16)
    units: int | None = None


class Household(SQLModel, table=True):
    """One 户, addressed as building-unit-room (3-2-301)."""

    __table_args__ = (UniqueConstraint("community_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    building_id: int = Field(foreign_key="building.id", index=True)
    unit: str | None = Field(default=None, max_length=16)
    room: str = Field(max_length=16)
    code: str = Field(max_length=48)
    area_m2: float | None = None


class Chat(SQLModel, table=True):
    """A group chat on one platform, bound to a scope of the community."""

    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    key: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=100)
    kind: ChatKind = Field(sa_type=String(16))
    compound_id: int | None = Field(default=None, foreign_key="compound.id")
    grid_id: int | None = Field(default=None, foreign_key="grid.id")
    building_id: int | None = Field(default=None, foreign_key="building.id")
    platform: str = Field(max_length=16)
    external_id: str = Field(max_length=128)
    passive_reports: bool = True


class Member(SQLModel, table=True):
    """A person, known by platform identities; the display name is only for showing."""

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    key: str | None = Field(default=None, max_length=64, unique=True)
    display_name: str = Field(max_length=100)
    role: Role = Field(default=Role.resident, sa_type=String(20))
    role_from_config: bool = False
    grid_id: int | None = Field(default=None, foreign_key="grid.id")
    building_id: int | None = Field(default=None, foreign_key="building.id")
    household_id: int | None = Field(default=None, foreign_key="household.id", index=True)
    public_as_building: bool = False
    created_at: datetime = Field(sa_type=UTCDateTime)


class MemberIdentity(SQLModel, table=True):
    """A platform user id that belongs to a member: the only thing identity rests on."""

    __tablename__ = "member_identity"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    platform: str = Field(max_length=16)
    external_id: str = Field(max_length=128)


class BindingRequest(SQLModel, table=True):
    """A resident's request to be recorded as living in a household, awaiting a leader."""

    __tablename__ = "binding_request"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    household_id: int = Field(foreign_key="household.id")
    chat_id: int | None = Field(default=None, foreign_key="chat.id")
    status: str = Field(default="pending", max_length=16, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    decided_by_id: int | None = Field(default=None, foreign_key="member.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reason: str | None = Field(default=None, max_length=200)
