"""``points`` in ``cocreate export --format json`` and the 积分明细 / 积分余额 sheets."""
from __future__ import annotations

from sqlmodel import Session, select

from bot.export import iso
from storage.models import Building, Household, Member
from storage.repo import points as repo

from .feature import router


def _people(session: Session) -> dict[int, tuple[str, str | None]]:
    """Member id → (display name, building number)."""
    buildings = dict(session.exec(select(Building.id, Building.number)).all())
    households = dict(session.exec(select(Household.id, Household.building_id)).all())
    people = {}
    for m in session.exec(select(Member)):
        building_id = households.get(m.household_id) if m.household_id else m.building_id
        people[m.id] = (m.display_name, buildings.get(building_id))
    return people


@router.exporter("points")
def export_points(session: Session, *, refs, tz) -> dict:
    people = _people(session)
    return {
        "balances": [
            {"member": refs.get(b.member_id), "name": people[b.member_id][0], "building": people[b.member_id][1],
             "balance": b.balance}
            for b in repo.all_balances(session)
        ],
        "ledger": [
            {"member": refs.get(e.member_id), "amount": e.amount, "rule": e.rule, "reason": e.reason,
             "approved_by": refs.get(e.approved_by_id) if e.approved_by_id else None, "at": iso(e.at, tz)}
            for e in repo.all_entries(session)
        ],
    }


@router.table("points_ledger", "积分明细")
def ledger_table(session: Session, *, refs, tz):
    people = _people(session)
    headers = ["编号", "时间", "居民", "楼栋", "分数", "规则", "说明", "批准人", "来源", "更正的记录"]
    rows = [[e.id, iso(e.at, tz), people[e.member_id][0], people[e.member_id][1], e.amount, e.rule, e.reason,
             people[e.approved_by_id][0] if e.approved_by_id else None, e.source, e.reverses_id]
            for e in repo.all_entries(session)]
    return headers, rows


@router.table("points_balances", "积分余额")
def balances_table(session: Session, *, refs, tz):
    people = _people(session)
    headers = ["居民", "楼栋", "余额"]
    return headers, [[people[b.member_id][0], people[b.member_id][1], b.balance] for b in repo.all_balances(session)]
