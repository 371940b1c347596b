"""Look-ups and changes for the community's structure, chats and members."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, or_
from sqlmodel import Session, select

from storage.models import Building, Chat, ChatKind, Community, Grid, Household, Member, MemberIdentity, Role

CONSOLE = "console"


def chat_for(session: Session, *, platform: str, external_id: str) -> Chat | None:
    """The configured chat behind a platform chat id; the console addresses chats by key."""
    if platform == CONSOLE:
        return session.exec(select(Chat).where(Chat.key == external_id)).first()
    return session.exec(
        select(Chat).where(Chat.platform == platform, Chat.external_id == external_id)
    ).first()


def chat_by_key(session: Session, *, key: str) -> Chat | None:
    return session.exec(select(Chat).where(Chat.key == key)).first()


# Built once: this runs for every message, and building a statement costs more than running it.
_MEMBER_BY_IDENTITY = (
    select(Member)
    .join(MemberIdentity, MemberIdentity.member_id == Member.id)
    .where(MemberIdentity.platform == bindparam("platform"), MemberIdentity.external_id == bindparam("external_id"))
)


def member_for(session: Session, *, platform: str, external_id: str) -> Member | None:
    """The member owning a platform user id, or None for someone never seen."""
    return session.exec(
        _MEMBER_BY_IDENTITY, params={"platform": platform, "external_id": external_id}
    ).first()


def resolve_member(
    session: Session, *, community_id: int, platform: str, external_id: str, display_name: str, now: datetime,
    found: Member | None = None,
) -> Member:
    """The sender as a member: found by platform id (never by name), created as a resident if new.

    The display name is refreshed for showing only; it never changes who the member is or
    what they may do. ``found`` is the member a cache already found for this platform id.
    """
    member = found if found is not None else member_for(session, platform=platform, external_id=external_id)
    name = clean_name(display_name)
    if member is None:
        member = Member(community_id=community_id, display_name=name or external_id[:100], created_at=now)
        session.add(member)
        session.flush()
        session.add(MemberIdentity(member_id=member.id, platform=platform, external_id=external_id))
        session.flush()
    elif name and member.display_name != name:
        member.display_name = name
        session.add(member)
    return member


def clean_name(name: str) -> str:
    """A display name without control characters, trimmed to the column size."""
    return "".join(ch for ch in name if ch.isprintable()).strip()[:100]


def identity_of(session: Session, *, member_id: int, platform: str) -> str | None:
    """The member's user id on a platform, if they have one there."""
    return session.exec(
        select(MemberIdentity.external_id).where(
            MemberIdentity.member_id == member_id, MemberIdentity.platform == platform
        )
    ).first()


def community(session: Session, *, community_id: int) -> Community:
    return session.get(Community, community_id)


def building_by_number(session: Session, *, community_id: int, number: str) -> Building | None:
    return session.exec(
        select(Building).where(Building.community_id == community_id, Building.number == number)
    ).first()


def household_by_code(session: Session, *, community_id: int, code: str) -> Household | None:
    return session.exec(
        select(Household).where(Household.community_id == community_id, Household.code == code)
    ).first()


def grid_of_building(session: Session, *, building: Building) -> Grid | None:
    return session.get(Grid, building.grid_id) if building.grid_id else None


def leaders_of_building(session: Session, *, building: Building) -> list[Member]:
    """Who looks after a building, nearest first: its building leaders, its grid leader, then staff."""
    members = session.exec(
        select(Member).where(
            Member.community_id == building.community_id,
            or_(
                (Member.role == Role.building_leader) & (Member.building_id == building.id),
                (Member.role == Role.grid_leader) & (Member.grid_id == building.grid_id)
                if building.grid_id
                else False,
                Member.role == Role.staff,
            ),
        )
    ).all()
    rank = {Role.building_leader: 0, Role.grid_leader: 1, Role.staff: 2}
    return sorted(members, key=lambda m: (rank[m.role], m.id))


def may_manage_building(member: Member, building: Building) -> bool:
    """Staff anywhere in their community, grid leaders in their grid, building leaders in their building."""
    if member.community_id != building.community_id:
        return False
    if member.role == Role.staff:
        return True
    if member.role == Role.grid_leader:
        return building.grid_id is not None and member.grid_id == building.grid_id
    if member.role == Role.building_leader:
        return member.building_id == building.id
    return False


def buildings(session: Session, *, community_id: int) -> list[Building]:
    """The community's buildings in roster order."""
    return list(session.exec(select(Building).where(Building.community_id == community_id).order_by(Building.id)))


def chat_buildings(chat: Chat, buildings: list[Building]) -> list[Building]:
    """Of the community's ``buildings``, those a chat speaks for: its building, grid or compound;
    all of them for the community chat and the leaders' chat."""
    if chat.building_id:
        return [b for b in buildings if b.id == chat.building_id]
    if chat.grid_id:
        return [b for b in buildings if b.grid_id == chat.grid_id]
    if chat.compound_id:
        return [b for b in buildings if b.compound_id == chat.compound_id]
    return buildings


def chats_of_kind(session: Session, *, community_id: int, kind: ChatKind) -> list[Chat]:
    return list(
        session.exec(select(Chat).where(Chat.community_id == community_id, Chat.kind == kind)).all()
    )


def chats_of_community(session: Session, *, community_id: int) -> list[Chat]:
    return list(session.exec(select(Chat).where(Chat.community_id == community_id).order_by(Chat.id)).all())


def building_chats(session: Session, *, building_id: int) -> list[Chat]:
    return list(session.exec(select(Chat).where(Chat.building_id == building_id)).all())


def grid_chats(session: Session, *, grid_id: int) -> list[Chat]:
    return list(session.exec(select(Chat).where(Chat.grid_id == grid_id)).all())
