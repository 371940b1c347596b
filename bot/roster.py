"""Loading the community's structure and people from the config file and from roster CSVs.

Both are idempotent: loading the same file twice changes nothing, and nothing residents
created (bindings, tickets, votes) is ever removed by a reload.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from bot.config import CommunityConfig, MemberConfig, Settings
from storage.models import (
    Building, Chat, ChatKind, Community, Compound, Grid, Household, Member, MemberIdentity, Role,
)

HOUSEHOLD_CODE = re.compile(r"^\s*([0-9A-Za-z]{1,8})\s*-\s*(?:([0-9A-Za-z]{1,4})\s*-\s*)?([0-9A-Za-z]{1,8})\s*$")


class RosterError(ValueError):
    """A roster line that cannot be loaded; the message names the line."""


def split_household_code(code: str) -> tuple[str, str | None, str] | None:
    """``3-2-301`` → ("3", "2", "301"); ``3-301`` → ("3", None, "301"); None if malformed."""
    match = HOUSEHOLD_CODE.match(code)
    if not match:
        return None
    building, unit, room = match.groups()
    return building.upper(), unit, room.upper()


def household_code(building: str, unit: str | None, room: str) -> str:
    return f"{building}-{unit}-{room}" if unit else f"{building}-{room}"


def sync_config(session: Session, settings: Settings, *, now: datetime) -> None:
    """Make the database reflect the config's communities, chats and members."""
    for cfg in settings.communities:
        _sync_community(session, cfg, now=now)
    session.flush()


def _sync_community(session: Session, cfg: CommunityConfig, *, now: datetime) -> None:
    community = session.exec(select(Community).where(Community.key == cfg.key)).first()
    if community is None:
        community = Community(key=cfg.key, name=cfg.name)
    community.name = cfg.name
    session.add(community)
    session.flush()
    cid = community.id

    compounds = _upsert_keyed(session, Compound, cid, [(c.key, c.name) for c in cfg.compounds])
    grids = _upsert_keyed(session, Grid, cid, [(g.key, g.name) for g in cfg.grids])

    buildings = {b.number: b for b in session.exec(select(Building).where(Building.community_id == cid))}
    for b in cfg.buildings:
        row = buildings.get(b.number) or Building(community_id=cid, number=b.number)
        row.grid_id = grids[b.grid].id if b.grid else None
        row.compound_id = compounds[b.compound].id if b.compound else None
        row.units = b.units
        session.add(row)
        buildings[b.number] = row
    session.flush()

    for h in cfg.households:
        upsert_household(session, community_id=cid, code=h.code, area_m2=h.area_m2, buildings=buildings)
    session.flush()

    existing_chats = {c.key: c for c in session.exec(select(Chat).where(Chat.community_id == cid))}
    for c in cfg.chats:
        row = existing_chats.get(c.key) or Chat(community_id=cid, key=c.key, name=c.name, kind=ChatKind.community,
                                                 platform=c.platform, external_id=c.external_id)
        kind, _, ref = c.scope.partition(":")
        row.name, row.kind, row.platform, row.external_id = c.name, ChatKind(kind), c.platform, c.external_id
        row.building_id = buildings[ref].id if kind == "building" else None
        row.grid_id = grids[ref].id if kind == "grid" else None
        row.compound_id = compounds[ref].id if kind == "compound" else None
        if c.passive_reports is not None:
            row.passive_reports = c.passive_reports
        session.add(row)
    session.flush()

    listed = {m.key for m in cfg.members}
    for m in cfg.members:
        _sync_member(session, cid, m, buildings=buildings, grids=grids, now=now)
    # Someone taken off the config's list loses the authority the config gave them.
    for member in session.exec(select(Member).where(Member.community_id == cid, Member.role_from_config)):
        if member.key not in listed:
            member.role, member.role_from_config = Role.resident, False
            member.building_id = member.grid_id = None
            session.add(member)


def _upsert_keyed(session: Session, model, community_id: int, items: list[tuple[str, str]]) -> dict:
    rows = {r.key: r for r in session.exec(select(model).where(model.community_id == community_id))}
    for key, name in items:
        row = rows.get(key) or model(community_id=community_id, key=key, name=name)
        row.name = name
        session.add(row)
        rows[key] = row
    session.flush()
    return rows


def upsert_household(
    session: Session, *, community_id: int, code: str, area_m2: float | None, buildings: dict[str, Building]
) -> Household:
    """Create or update a household by its code; its building must exist."""
    parts = split_household_code(code)
    if parts is None:
        raise RosterError(f"门牌 {code!r} 的格式应为 楼栋-单元-门牌，如 3-2-301")
    number, unit, room = parts
    building = buildings.get(number)
    if building is None:
        raise RosterError(f"门牌 {code} 所在的 {number} 栋不在配置里")
    normalized = household_code(number, unit, room)
    row = session.exec(
        select(Household).where(Household.community_id == community_id, Household.code == normalized)
    ).first()
    if row is None:
        row = Household(community_id=community_id, building_id=building.id, unit=unit, room=room, code=normalized)
    if area_m2 is not None:
        row.area_m2 = area_m2
    session.add(row)
    return row


def _sync_member(session: Session, community_id: int, m: MemberConfig, *, buildings, grids, now: datetime) -> None:
    member = session.exec(select(Member).where(Member.key == m.key)).first()
    if member is None:
        # The person may already be known by a platform id (they spoke before being listed).
        for platform, external_id in m.identities():
            member = session.exec(
                select(Member).join(MemberIdentity, MemberIdentity.member_id == Member.id).where(
                    MemberIdentity.platform == platform, MemberIdentity.external_id == external_id)
            ).first()
            if member is not None:
                break
    if member is None:
        member = Member(community_id=community_id, display_name=m.name, created_at=now)
    member.key, member.display_name = m.key, m.name
    member.role, member.role_from_config = m.role, m.role != Role.resident
    member.building_id = buildings[m.building].id if m.building else None
    member.grid_id = grids[m.grid].id if m.grid else None
    if m.household:
        parts = split_household_code(m.household)
        code = household_code(*parts) if parts else m.household
        household = session.exec(
            select(Household).where(Household.community_id == community_id, Household.code == code)
        ).first()
        if household is None:
            raise RosterError(f"member {m.key}: household {m.household} is not in the roster")
        member.household_id = household.id
    session.add(member)
    session.flush()
    for platform, external_id in m.identities():
        _claim_identity(session, member.id, platform, external_id)


def _claim_identity(session: Session, member_id: int, platform: str, external_id: str) -> None:
    identity = session.exec(
        select(MemberIdentity).where(MemberIdentity.platform == platform, MemberIdentity.external_id == external_id)
    ).first()
    if identity is None:
        session.add(MemberIdentity(member_id=member_id, platform=platform, external_id=external_id))
    elif identity.member_id != member_id:
        identity.member_id = member_id
        session.add(identity)


# -- roster CSV ------------------------------------------------------------------------

ROLE_WORDS = {"居民": Role.resident, "楼栋长": Role.building_leader, "网格长": Role.grid_leader,
              "网格员": Role.grid_leader, "社区工作者": Role.staff, "工作人员": Role.staff}


def parse_role(text: str) -> Role:
    """A role from its English identifier or its Chinese title."""
    text = text.strip()
    if text in ROLE_WORDS:
        return ROLE_WORDS[text]
    try:
        return Role(text)
    except ValueError:
        raise RosterError(f"不认识的角色 {text!r}（可用：居民、楼栋长、网格长、社区工作者）") from None

ROSTER_COLUMNS = ("household", "area_m2", "member", "name", "role", "wechat", "telegram")


@dataclass
class RosterReport:
    households: int = 0
    members: int = 0
    errors: list[str] = field(default_factory=list)


def import_roster_csv(session: Session, *, community: Community, text: str, now: datetime) -> RosterReport:
    """Load households (with floor areas) and optionally their members from CSV text.

    Columns: household (3-2-301), area_m2, member (a stable key), name, role, wechat,
    telegram. Only ``household`` is required. A bad line is reported with its number and
    skipped; the good lines are kept.
    """
    report = RosterReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or "household" not in [f.strip() for f in reader.fieldnames]:
        report.errors.append("第1行：表头必须包含 household 列（可选 area_m2, member, name, role, wechat, telegram）")
        return report
    buildings = {b.number: b for b in session.exec(select(Building).where(Building.community_id == community.id))}
    for line_no, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        try:
            with session.begin_nested():
                with_member = _import_row(session, community, row, buildings, now)
        except (RosterError, ValueError) as exc:
            report.errors.append(f"第{line_no}行：{exc}")
            continue
        report.households += 1
        report.members += with_member
    session.flush()
    return report


def _import_row(session, community, row, buildings, now: datetime) -> bool:
    """Load one CSV row; True when it also named a member."""
    area = row.get("area_m2") or None
    area_m2 = float(area) if area else None
    if area_m2 is not None and area_m2 < 0:
        raise RosterError("面积不能为负数")
    household = upsert_household(
        session, community_id=community.id, code=row["household"], area_m2=area_m2, buildings=buildings
    )
    session.flush()
    key = row.get("member")
    if not key:
        return False
    role = parse_role(row.get("role") or "resident")
    member = session.exec(select(Member).where(Member.key == key)).first()
    if member is None:
        member = Member(community_id=community.id, key=key, display_name=row.get("name") or key, created_at=now)
    if row.get("name"):
        member.display_name = row["name"]
    member.role = role
    member.household_id = household.id
    building = session.get(Building, household.building_id)
    member.building_id = building.id if role == Role.building_leader else None
    member.grid_id = building.grid_id if role == Role.grid_leader else None
    if role == Role.grid_leader and building.grid_id is None:
        raise RosterError(f"{building.number} 栋不属于任何网格，不能设网格长")
    session.add(member)
    session.flush()
    for platform in ("console", "wechat", "telegram"):
        external = key if platform == "console" else row.get(platform)
        if external:
            _claim_identity(session, member.id, platform, external)
    return True
