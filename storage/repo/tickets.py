"""Look-ups and changes for tickets, their supports, history, reminders and registration offers."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, insert, update
from sqlmodel import Session, select

from storage.models import (
    Building, Chat, ChatKind, Member, Role, Ticket, TicketCounter, TicketEvent, TicketOffer, TicketReminder,
    TicketStatus, TicketSupport,
)
from storage.models.tickets import OPEN_STATUSES
from storage.repo.conflict import insert_once
from storage.repo.core import read, write


def next_number(session: Session, *, community_id: int) -> int:
    """The community's next ticket number (1, 2, 3 …), safe under concurrent reports.

    The counter row's update takes a row lock (PostgreSQL) or the write lock (SQLite),
    so concurrent transactions queue up and each gets its own number.
    """
    insert_once(session, TicketCounter, {"community_id": community_id, "last_number": 0})
    return session.execute(
        update(TicketCounter)
        .where(TicketCounter.community_id == community_id)
        .values(last_number=TicketCounter.last_number + 1)
        .returning(TicketCounter.last_number)
    ).scalar_one()


def by_number(session: Session, *, community_id: int, number: int, lock: bool = False) -> Ticket | None:
    """A ticket by its short number; ``lock`` holds its row until commit (PostgreSQL; SQLite has one writer).

    Locked, two leaders pressing 受理 at the same moment queue up: the second sees it accepted.
    """
    query = select(Ticket).where(Ticket.community_id == community_id, Ticket.number == number)
    return session.exec(query.with_for_update() if lock else query).first()


def record(
    session: Session, ticket: Ticket, *, actor_id: int | None, action: str, now: datetime,
    to_status: TicketStatus | None = None, note: str | None = None, touch: bool = True, created: bool = False,
) -> TicketEvent:
    """Write one history line and apply the state change it describes.

    ``touch`` moves ``updated_at`` (what overdue rules count from): state changes and
    progress do, photos, supports and reminders do not.
    """
    event = TicketEvent(
        ticket_id=ticket.id, at=now, actor_id=actor_id, action=action,
        from_status=None if created else ticket.status, to_status=to_status or ticket.status, note=note,
    )
    if to_status is not None:
        ticket.status = to_status
    if touch:
        ticket.updated_at = now
    session.add(ticket)
    session.add(event)
    return event


def history(session: Session, *, ticket_id: int) -> list[TicketEvent]:
    return list(session.exec(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.at, TicketEvent.id)
    ).all())


def supports(session: Session, *, ticket_id: int) -> list[TicketSupport]:
    return list(session.exec(
        select(TicketSupport).where(TicketSupport.ticket_id == ticket_id).order_by(TicketSupport.id)
    ).all())


def add_support(session: Session, *, ticket_id: int, member_id: int, chat_id: int, now: datetime) -> bool:
    """Record a 附议; False when this member already supports the ticket."""
    return insert_once(
        session, TicketSupport, {"ticket_id": ticket_id, "member_id": member_id, "chat_id": chat_id, "created_at": now}
    ) is not None


def latest_by_reporter(session: Session, *, reporter_id: int, chat_id: int, since: datetime) -> Ticket | None:
    """The sender's newest ticket reported in a chat since a moment (photos attach to it)."""
    return session.exec(
        select(Ticket)
        .where(Ticket.reporter_id == reporter_id, Ticket.chat_id == chat_id, Ticket.created_at >= since)
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
    ).first()


# Built once, run with parameters: a passive report offer runs these on every report-like
# message, and building the statements cost more than running them (see docs/PERFORMANCE.md).
_OPEN_OF_KIND = (
    select(Ticket)
    .where(Ticket.community_id == bindparam("community_id"), Ticket.status.in_(OPEN_STATUSES),
           Ticket.category == bindparam("category"), Ticket.building_id == bindparam("building_id"))
    .order_by(Ticket.number)
)
_offer = TicketOffer.__table__
_RECENT_OFFER = (
    select(_offer.c.id)
    .where(_offer.c.member_id == bindparam("member_id"), _offer.c.created_at > bindparam("since"))
    .limit(1)
)
_INSERT_OFFER = insert(_offer).returning(_offer.c.id)


def open_tickets_like(session: Session, *, community_id: int, category: str | None, building_id: int) -> list[Ticket]:
    """Open tickets of one category in one building, oldest first (the candidates for "the same")."""
    if category is None:
        return open_tickets(session, community_id=community_id, category=None, building_id=building_id)
    return list(session.exec(_OPEN_OF_KIND, params={
        "community_id": community_id, "category": category, "building_id": building_id,
    }).all())


def open_tickets(session: Session, *, community_id: int, chat: Chat | None = None,
                 category: str | None = None, building_id: int | None = None) -> list[Ticket]:
    """Open tickets of a community, optionally of a chat's scope, a category or a building, oldest first."""
    query = select(Ticket).where(Ticket.community_id == community_id, Ticket.status.in_(OPEN_STATUSES))
    if chat is not None:
        query = in_scope(query, chat)
    if category is not None:
        query = query.where(Ticket.category == category)
    if building_id is not None:
        query = query.where(Ticket.building_id == building_id)
    return list(session.exec(query.order_by(Ticket.number)).all())


def in_scope(query, chat: Chat):
    """Restrict a ticket query to what a chat speaks for (a building, a grid, a compound, or all)."""
    if chat.kind == ChatKind.building:
        return query.where(Ticket.building_id == chat.building_id)
    if chat.kind == ChatKind.grid:
        return query.where(Ticket.grid_id == chat.grid_id)
    if chat.kind == ChatKind.compound:
        return query.where(Ticket.building_id.in_(select(Building.id).where(Building.compound_id == chat.compound_id)))
    return query


def reported_by(session: Session, *, member_id: int, limit: int = 10) -> list[Ticket]:
    return list(session.exec(
        select(Ticket).where(Ticket.reporter_id == member_id).order_by(Ticket.number.desc()).limit(limit)
    ).all())


def supported_by(session: Session, *, member_id: int, limit: int = 10) -> list[Ticket]:
    return list(session.exec(
        select(Ticket)
        .join(TicketSupport, TicketSupport.ticket_id == Ticket.id)
        .where(TicketSupport.member_id == member_id)
        .order_by(Ticket.number.desc())
        .limit(limit)
    ).all())


def grid_leaders(session: Session, *, community_id: int, grid_id: int | None) -> list[Member]:
    if grid_id is None:
        return []
    return list(session.exec(
        select(Member).where(
            Member.community_id == community_id, Member.role == Role.grid_leader, Member.grid_id == grid_id
        ).order_by(Member.id)
    ).all())


def staff(session: Session, *, community_id: int) -> list[Member]:
    return list(session.exec(
        select(Member).where(Member.community_id == community_id, Member.role == Role.staff).order_by(Member.id)
    ).all())


def offered_since(session: Session, *, member_id: int, since: datetime) -> bool:
    """Whether the member was offered registration since a moment (offers are rate-limited)."""
    return read(session, _RECENT_OFFER, {"member_id": member_id, "since": since}).first() is not None


def add_offer(session: Session, *, member_id: int, chat_id: int, text: str, now: datetime) -> int:
    """Record an offer to register a message; its id. A Core insert: this runs for every report-like message."""
    return write(session, _INSERT_OFFER, {
        "member_id": member_id, "chat_id": chat_id, "text": text, "images": [], "created_at": now,
    }).scalar_one()


def claim_reminder(session: Session, *, ticket_id: int, kind: str, since: datetime, now: datetime) -> bool:
    """Note an overdue reminder as sent; False when it was sent before (once per threshold)."""
    return insert_once(
        session, TicketReminder, {"ticket_id": ticket_id, "kind": kind, "since": since, "sent_at": now}
    ) is not None


def set_passive_reports(session: Session, *, chat_id: int, on: bool) -> None:
    """A statement rather than the chat object, which is a cached snapshot (see ``ChatCache``)."""
    session.execute(update(Chat).where(Chat.id == chat_id).values(passive_reports=on))


def counts_between(session: Session, *, community_id: int, chat: Chat, start: datetime, end: datetime) -> dict:
    """New, resolved and rated tickets of a chat's scope in a period, for the weekly summary."""
    base = in_scope(select(func.count()).select_from(Ticket).where(Ticket.community_id == community_id), chat)
    new = session.exec(base.where(Ticket.created_at >= start, Ticket.created_at < end)).one()
    resolved = session.exec(
        base.where(Ticket.id.in_(
            select(TicketEvent.ticket_id).where(
                TicketEvent.to_status == TicketStatus.resolved, TicketEvent.from_status != TicketStatus.resolved,
                TicketEvent.at >= start, TicketEvent.at < end,
            )
        ))
    ).one()
    ratings = list(session.exec(
        in_scope(select(Ticket.rating).where(Ticket.community_id == community_id), chat)
        .where(Ticket.rated_at >= start, Ticket.rated_at < end, Ticket.rating.is_not(None))
    ).all())
    return {"new": new, "resolved": resolved, "ratings": ratings}
