"""The points ledger: append-only entries, the cached balance beside them, claims and rewards."""
from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, case, func, insert, update
from sqlmodel import Session, select

from storage.models import Household, Member
from storage.models.points import PointBalance, PointClaim, PointEntry, Redemption, Reward
from storage.repo.conflict import INSERT_FOR, insert_once
from storage.repo.core import read, write

# Spending points on a reward; rankings and caps count earnings only.
REDEEM_RULE = "兑换"


# -- the ledger ---------------------------------------------------------------------------


# Built once, run with parameters: every vote and check-in appends an automatic entry.
_entry = PointEntry.__table__
_balance = PointBalance.__table__
_INSERT_ENTRY = insert(_entry).returning(_entry.c.id)
_MOVE_BALANCE = (update(_balance).where(_balance.c.member_id == bindparam("member"))
                 .values(balance=_balance.c.balance + bindparam("amount")))
_BALANCE_OF = select(_balance.c.balance).where(_balance.c.member_id == bindparam("member"))
_SOURCE_SEEN = (select(_entry.c.id)
                .where(_entry.c.community_id == bindparam("community"), _entry.c.source == bindparam("source"))
                .limit(1))
_EARNED_WINDOW = (_entry.c.member_id == bindparam("member"), _entry.c.at >= bindparam("start"),
                  _entry.c.at < bindparam("end"))
_EARNED_BY_RULE = select(func.coalesce(func.sum(_entry.c.amount), 0)).where(
    *_EARNED_WINDOW, _entry.c.rule == bindparam("rule"))
_EARNED_ALL = select(func.coalesce(func.sum(_entry.c.amount), 0)).where(
    *_EARNED_WINDOW, _entry.c.rule != REDEEM_RULE)


@cache
def _lock_statement(dialect: str):
    # A no-op update on conflict: the row is then locked (PostgreSQL) and its balance returned.
    return (INSERT_FOR[dialect](_balance)
            .on_conflict_do_update(index_elements=["member_id"], set_={"balance": _balance.c.balance})
            .returning(_balance.c.balance))


def lock_member_balance(session: Session, *, community_id: int, member_id: int) -> int:
    """The member's balance row, created if missing and locked until the transaction ends.

    Every change to a member's points goes through here first, so cap checks and
    "once per source" checks for one member never interleave.
    """
    statement = _lock_statement(session.get_bind().dialect.name)
    return write(session, statement, {"member_id": member_id, "community_id": community_id, "balance": 0}).scalar_one()


def append(session: Session, *, community_id: int, member_id: int, amount: int, rule: str, reason: str,
           approved_by_id: int | None, at: datetime, source: str | None = None,
           reverses_id: int | None = None) -> PointEntry:
    """Add one entry and move the cached balance by the same amount, in this transaction.

    Returns the entry as written, not attached to the session (it is never changed again).
    """
    values = dict(community_id=community_id, member_id=member_id, amount=amount, rule=rule, reason=reason[:200],
                  approved_by_id=approved_by_id, at=at, source=source, reverses_id=reverses_id)
    lock_member_balance(session, community_id=community_id, member_id=member_id)
    new_id = write(session, _INSERT_ENTRY, values).scalar_one()
    write(session, _MOVE_BALANCE, {"member": member_id, "amount": amount})
    return PointEntry(id=new_id, **values)


def append_debited(session: Session, *, community_id: int, member_id: int, amount: int, reason: str,
                   at: datetime) -> PointEntry:
    """The ledger entry of a redemption whose balance ``debit_if_covered`` already took."""
    entry = PointEntry(community_id=community_id, member_id=member_id, amount=amount, rule=REDEEM_RULE,
                       reason=reason[:200], at=at)
    session.add(entry)
    session.flush()
    return entry


def debit_if_covered(session: Session, *, member_id: int, amount: int) -> bool:
    """Take ``amount`` from the cached balance only if it covers it (one conditional UPDATE)."""
    row = session.execute(
        update(PointBalance)
        .where(PointBalance.member_id == member_id, PointBalance.balance >= amount)
        .values(balance=PointBalance.balance - amount)
        .returning(PointBalance.balance)
    ).first()
    return row is not None


def source_seen(session: Session, *, community_id: int, source: str) -> bool:
    """Whether an entry for this source event (checkin:12, poll:3:45) is in the ledger."""
    return read(session, _SOURCE_SEEN, {"community": community_id, "source": source}).first() is not None


def entry_in(session: Session, *, community_id: int, entry_id: int) -> PointEntry | None:
    entry = session.get(PointEntry, entry_id)
    return entry if entry is not None and entry.community_id == community_id else None


def reversal_of(session: Session, *, entry_id: int) -> PointEntry | None:
    return session.exec(select(PointEntry).where(PointEntry.reverses_id == entry_id)).first()


def earned_between(session: Session, *, member_id: int, rule: str | None, start: datetime, end: datetime) -> int:
    """Points a member earned (net of reversals) in [start, end), for one rule or all (spending aside)."""
    window = {"member": member_id, "start": start, "end": end}
    if rule is None:
        return int(read(session, _EARNED_ALL, window).scalar_one())
    return int(read(session, _EARNED_BY_RULE, {**window, "rule": rule}).scalar_one())


def balance(session: Session, *, member_id: int) -> int:
    """The cached balance as stored now (a statement, so never an object the session kept from before)."""
    found = read(session, _BALANCE_OF, {"member": member_id}).scalar_one_or_none()
    return found if found is not None else 0


def ledger_balance(session: Session, *, member_id: int) -> int:
    return int(session.exec(
        select(func.coalesce(func.sum(PointEntry.amount), 0)).where(PointEntry.member_id == member_id)
    ).one())


def recent_entries(session: Session, *, member_id: int, limit: int) -> list[PointEntry]:
    return list(session.exec(
        select(PointEntry).where(PointEntry.member_id == member_id)
        .order_by(PointEntry.at.desc(), PointEntry.id.desc()).limit(limit)
    ))


def balance_mismatches(session: Session, *, community_id: int) -> list[tuple[int, int, int]]:
    """(member id, cached, ledger sum) wherever the cache disagrees with the ledger."""
    sums = dict(session.exec(
        select(PointEntry.member_id, func.sum(PointEntry.amount))
        .where(PointEntry.community_id == community_id).group_by(PointEntry.member_id)
    ).all())
    cached = dict(session.exec(
        select(PointBalance.member_id, PointBalance.balance).where(PointBalance.community_id == community_id)
    ).all())
    return [(m, cached.get(m, 0), int(sums.get(m, 0) or 0))
            for m in sorted(set(sums) | set(cached)) if cached.get(m, 0) != int(sums.get(m, 0) or 0)]


def standings_statement(*, community_id: int, start: datetime, end: datetime):
    """Per member with entries in [start, end): (member id, points, earning entries, name,
    shown as building, building id, household id); spending (兑换) left out.

    One grouped scan of the window (index community_id, at), then one join to the people.
    """
    window = (
        select(PointEntry.member_id.label("member_id"), func.sum(PointEntry.amount).label("points"),
               func.sum(case((PointEntry.amount > 0, 1), else_=0)).label("entries"))
        .where(PointEntry.community_id == community_id, PointEntry.at >= start, PointEntry.at < end,
               PointEntry.rule != REDEEM_RULE)
        .group_by(PointEntry.member_id)
        .subquery()
    )
    return (
        select(window.c.member_id, window.c.points, window.c.entries, Member.display_name,
               Member.public_as_building, func.coalesce(Household.building_id, Member.building_id),
               Member.household_id)
        .join(Member, Member.id == window.c.member_id)
        .outerjoin(Household, Household.id == Member.household_id)
    )


def standings_between(session: Session, *, community_id: int, start: datetime, end: datetime) -> list[tuple]:
    """The rows of ``standings_statement``."""
    statement = standings_statement(community_id=community_id, start=start, end=end)
    return [tuple(row) for row in session.exec(statement).all()]


def households_per_building(session: Session, *, community_id: int) -> dict[int, int]:
    return dict(session.exec(
        select(Household.building_id, func.count()).where(Household.community_id == community_id)
        .group_by(Household.building_id)
    ).all())


def household_members(session: Session, *, household_id: int) -> list[int]:
    return list(session.exec(select(Member.id).where(Member.household_id == household_id)))


def household_balance(session: Session, *, household_id: int) -> int:
    return int(session.exec(
        select(func.coalesce(func.sum(PointBalance.balance), 0))
        .join(Member, Member.id == PointBalance.member_id).where(Member.household_id == household_id)
    ).one())


def all_entries(session: Session) -> list[PointEntry]:
    return list(session.exec(select(PointEntry).order_by(PointEntry.id)))


def all_balances(session: Session) -> list[PointBalance]:
    return list(session.exec(select(PointBalance).order_by(PointBalance.member_id)))


# -- claims -------------------------------------------------------------------------------


def add_claim(session: Session, **values) -> PointClaim:
    claim = PointClaim(**values)
    session.add(claim)
    session.flush()
    return claim


def lock_claim(session: Session, *, community_id: int, claim_id: int) -> PointClaim | None:
    """The claim, locked so two leaders deciding at once decide it once."""
    return session.exec(
        select(PointClaim).where(PointClaim.id == claim_id, PointClaim.community_id == community_id)
        .with_for_update().execution_options(populate_existing=True)
    ).first()


def decide_claim(session: Session, *, claim_id: int, status: str, by_id: int, at: datetime,
                 note: str | None = None, entry_id: int | None = None) -> bool:
    """Move a pending claim to its decision; False when someone decided it first."""
    row = session.execute(
        update(PointClaim).where(PointClaim.id == claim_id, PointClaim.status == "pending")
        .values(status=status, decided_by_id=by_id, decided_at=at, decision_note=note, entry_id=entry_id)
        .returning(PointClaim.id)
    ).first()
    return row is not None


def pending_claims(session: Session, *, community_id: int) -> list[PointClaim]:
    return list(session.exec(
        select(PointClaim).where(PointClaim.community_id == community_id, PointClaim.status == "pending")
        .order_by(PointClaim.id)
    ))


# -- rewards ------------------------------------------------------------------------------


def rewards(session: Session, *, community_id: int) -> list[Reward]:
    return list(session.exec(select(Reward).where(Reward.community_id == community_id).order_by(Reward.id)))


def reward_named(session: Session, *, community_id: int, name: str) -> Reward | None:
    return session.exec(select(Reward).where(Reward.community_id == community_id, Reward.name == name)).first()


def add_reward_once(session: Session, *, community_id: int, name: str, cost: int, stock: int) -> bool:
    """Put a configured reward in the catalogue unless it is there (its stock is then the database's)."""
    values = {"community_id": community_id, "name": name, "cost": cost, "stock": stock}
    return insert_once(session, Reward, values, keys=("community_id", "name")) is not None


def take_one(session: Session, *, reward_id: int) -> int | None:
    """Decrement the stock if any is left (one conditional UPDATE); the stock left, or None."""
    row = session.execute(
        update(Reward).where(Reward.id == reward_id, Reward.stock > 0)
        .values(stock=Reward.stock - 1).returning(Reward.stock)
    ).first()
    return row[0] if row is not None else None


def add_redemption(session: Session, **values) -> Redemption:
    row = Redemption(**values)
    session.add(row)
    session.flush()
    return row


def redemption_in(session: Session, *, community_id: int, redemption_id: int) -> Redemption | None:
    row = session.get(Redemption, redemption_id)
    return row if row is not None and row.community_id == community_id else None


def mark_handed(session: Session, *, redemption_id: int, by_id: int, at: datetime) -> bool:
    row = session.execute(
        update(Redemption).where(Redemption.id == redemption_id, Redemption.handed_at.is_(None))
        .values(handed_by_id=by_id, handed_at=at).returning(Redemption.id)
    ).first()
    return row is not None


def waiting_handover(session: Session, *, community_id: int) -> list[Redemption]:
    return list(session.exec(
        select(Redemption).where(Redemption.community_id == community_id, Redemption.handed_at.is_(None))
        .order_by(Redemption.id)
    ))
