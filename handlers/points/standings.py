"""Standings over a time window: members and buildings ranked, for the whole community or one chat's scope."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path

from sqlmodel import Session

from bot.charts import Bar, bar_chart
from storage.models import Building, Chat, ChatKind
from storage.repo import community as community_repo
from storage.repo import points as repo

from .ledger import public_name


@dataclass(frozen=True, slots=True)
class Row:
    member_id: int
    points: int
    entries: int
    shown: str
    building_id: int | None
    household_id: int | None


@dataclass(frozen=True, slots=True)
class BuildingRow:
    building: Building
    points: int
    households: int

    @property
    def per_household(self) -> float:
        return self.points / self.households if self.households else 0.0


@dataclass
class Standings:
    """Everyone's points in a window, computed once and cut per chat."""

    rows: list[Row]
    buildings: list[Building]
    households: dict[int, int]

    def scoped(self, building_ids: set[int] | None) -> "Standings":
        if building_ids is None:
            return self
        rows = [r for b in building_ids for r in self.by_building.get(b, ())]
        return Standings(rows, [b for b in self.buildings if b.id in building_ids], self.households)

    @cached_property
    def by_building(self) -> dict[int | None, list[Row]]:
        """Rows per building, so each chat's cut costs only its own rows."""
        index: dict[int | None, list[Row]] = {}
        for r in self.rows:
            index.setdefault(r.building_id, []).append(r)
        return index

    @cached_property
    def members(self) -> list[Row]:
        """Members with points, highest first (ties by member id: whoever was first in the roster)."""
        return sorted((r for r in self.rows if r.points > 0), key=lambda r: (-r.points, r.member_id))

    def rank_of(self, member_id: int) -> int | None:
        return next((n for n, r in enumerate(self.members, 1) if r.member_id == member_id), None)

    @cached_property
    def building_rows(self) -> list[BuildingRow]:
        """最美楼栋: points per household, highest first."""
        points: dict[int, int] = {}
        for r in self.rows:
            if r.building_id is not None:
                points[r.building_id] = points.get(r.building_id, 0) + r.points
        rows = [BuildingRow(b, points.get(b.id, 0), self.households.get(b.id, 0)) for b in self.buildings]
        return sorted(rows, key=lambda b: (-b.per_household, -b.points, b.building.id))

    @property
    def activities(self) -> int:
        return sum(r.entries for r in self.rows)

    @property
    def participants(self) -> int:
        return sum(1 for r in self.rows if r.points > 0)

    @property
    def total(self) -> int:
        return sum(r.points for r in self.rows)


def compute(session: Session, *, community_id: int, start: datetime, end: datetime) -> Standings:
    buildings = community_repo.buildings(session, community_id=community_id)
    numbers = {b.id: b.number for b in buildings}
    rows = [
        Row(member_id, points, entries, public_name(name, hidden, numbers.get(building_id)), building_id, household_id)
        for member_id, points, entries, name, hidden, building_id, household_id
        in repo.standings_between(session, community_id=community_id, start=start, end=end)
    ]
    return Standings(rows, buildings, repo.households_per_building(session, community_id=community_id))


def chat_buildings(chat: Chat, buildings: list[Building]) -> set[int] | None:
    """The ids of the buildings a chat speaks for; None for the whole community (community and leaders' chats)."""
    if chat.kind in (ChatKind.community, ChatKind.leaders):
        return None
    return {b.id for b in community_repo.chat_buildings(chat, buildings)}


def member_lines(standings: Standings, top: int) -> list[str]:
    rows = standings.members[:top]
    if not rows:
        return ["还没有人得分。"]
    return [f"{n}. {r.shown} {r.points} 分" for n, r in enumerate(rows, 1)]


def building_lines(whole: Standings, building_ids: set[int] | None) -> list[str]:
    """The building ranking; a single building's chat sees its own place in the community."""
    ranking = [b for b in whole.building_rows if b.households]
    if building_ids is not None and len(building_ids) == 1:
        mine = next((n for n, b in enumerate(ranking, 1) if b.building.id in building_ids), None)
        if mine is None:
            return []
        b = ranking[mine - 1]
        return [f"最美楼栋：本楼户均 {b.per_household:.1f} 分（{b.households} 户共 {b.points} 分），"
                f"在 {len(ranking)} 栋楼中排第 {mine}。"]
    shown = [b for b in ranking if building_ids is None or b.building.id in building_ids]
    if not shown:
        return []
    return ["最美楼栋（户均积分）："] + [
        f"{n}. {b.building.number}栋 户均 {b.per_household:.1f} 分（{b.households} 户共 {b.points} 分）"
        for n, b in enumerate(shown, 1)
    ]


def chart(path: Path, standings: Standings, *, title: str, subtitle: str, top: int) -> str | None:
    """A bar chart of the top members, or None when nobody scored."""
    rows = standings.members[:top]
    if not rows:
        return None
    bar_chart(path, title=title, subtitle=subtitle,
              bars=[Bar(r.shown, r.points, f"{r.points} 分") for r in rows])
    return str(path)
