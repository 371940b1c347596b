"""The idempotency record, the outbox and pending numbered choices."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.models import Chat, Outbox, PendingChoice, ProcessedMessage
from storage.repo.core import write

# How long a worker owns an outbox row it is sending; renewed while the row is in its queue.
OUTBOX_LEASE = timedelta(seconds=60)


def claim_message(
    session: Session, *, platform: str, chat_external_id: str, message_id: str, now: datetime
) -> bool:
    """Record a platform message as handled; False when it was handled before.

    The unique constraint, not a prior read, decides: two workers racing on one message
    cannot both win. A False return leaves the session unusable; the caller rolls back.
    """
    values = dict(platform=platform, chat_external_id=chat_external_id, message_id=message_id, handled_at=now)
    try:
        write(session, _INSERT_PROCESSED, values)
    except IntegrityError as exc:
        # The flush also writes the event's other changes; only this table's clash means "seen".
        if "processed_message" not in str(exc.orig):
            raise
        return False
    return True


_outbox = Outbox.__table__
# Built once, values passed as parameters: ``insert().values(...)`` per call would coerce and
# cache-key every value again, which profiling showed costs more than the insert itself.
_INSERT_PROCESSED = insert(ProcessedMessage.__table__)
_INSERT_OUTBOX = insert(_outbox).returning(_outbox.c.id)
_INSERT_CHOICES = insert(PendingChoice.__table__)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """An outbox message as just inserted (what delivery needs), without an ORM object."""

    id: int
    chat_id: int
    text: str
    not_before: datetime
    mentions: list[dict[str, Any]]
    image: str | None
    choices: list[dict[str, Any]]
    urgent: bool
    tag: str | None
    parts_sent: int = 0


def add_outbox(
    session: Session,
    *,
    chat_id: int,
    text: str,
    now: datetime,
    not_before: datetime,
    mentions: list[dict[str, Any]] = (),
    image: str | None = None,
    choices: list[dict[str, Any]] = (),
    urgent: bool = False,
    tag: str | None = None,
    choices_for: int | None = None,
) -> OutboxRow:
    """Insert one outgoing message. A Core insert, not an ORM object: this runs for every reply,
    and the ORM's unit of work costs several times the insert itself."""
    values = dict(
        chat_id=chat_id, text=text, mentions=list(mentions), image=image, choices=list(choices),
        choices_for=choices_for, urgent=urgent, tag=tag, created_at=now, not_before=not_before,
        attempts=0, parts_sent=0,
        # Due now: the writer sends it right after the commit, so no other worker's sweep takes it.
        leased_until=now + OUTBOX_LEASE if not_before <= now else None,
    )
    new_id = write(session, _INSERT_OUTBOX, values).scalar_one()
    return OutboxRow(new_id, chat_id, text, not_before, values["mentions"], image, values["choices"], urgent, tag)


def claim_due_outbox(session: Session, *, now: datetime, platforms: list[str] | None = None,
                     respect_leases: bool = True, limit: int = 500) -> list[Outbox]:
    """Undelivered messages whose time has come, oldest first, leased to the caller.

    Rows another worker holds a lease on are left alone, and on PostgreSQL so are rows
    another worker is claiming at this moment (``FOR UPDATE SKIP LOCKED``): several workers
    may sweep the outbox and each message goes to one of them.
    """
    query = select(Outbox).where(Outbox.delivered_at.is_(None), Outbox.not_before <= now)
    if respect_leases:
        query = query.where(or_(Outbox.leased_until.is_(None), Outbox.leased_until <= now))
    if platforms is not None:
        query = query.join(Chat, Chat.id == Outbox.chat_id).where(Chat.platform.in_(platforms))
    query = query.order_by(Outbox.not_before, Outbox.id).limit(limit).with_for_update(skip_locked=True, of=Outbox)
    rows = list(session.exec(query).all())
    if rows:
        renew_leases(session, ids=[r.id for r in rows], until=now + OUTBOX_LEASE)
    return rows


def renew_leases(session: Session, *, ids: list[int], until: datetime | None) -> None:
    """Keep undelivered rows a worker still has in hand from another's sweep (None: let go of them)."""
    if ids:
        session.execute(
            update(Outbox).where(Outbox.id.in_(ids), Outbox.delivered_at.is_(None)).values(leased_until=until)
        )


def next_held(session: Session, *, after: datetime) -> datetime | None:
    """When the earliest held (not yet due) message becomes due."""
    return session.exec(
        select(Outbox.not_before)
        .where(Outbox.delivered_at.is_(None), Outbox.not_before > after)
        .order_by(Outbox.not_before)
        .limit(1)
    ).first()


_MARK_SENT = (
    update(_outbox)
    .where(_outbox.c.id == bindparam("row"))
    .values(delivered_at=bindparam("at"), platform_message_id=bindparam("pid"))
)


def mark_delivered(session: Session, *, sent: list[tuple[int, str | None]], at: datetime) -> None:
    """Record delivery of (outbox id, platform message id) pairs."""
    plain = [i for i, pid in sent if pid is None]
    if plain:
        session.execute(update(Outbox).where(Outbox.id.in_(plain)).values(delivered_at=at))
    with_ids = [{"row": i, "at": at, "pid": pid} for i, pid in sent if pid is not None]
    if with_ids:
        # One Core executemany rather than a statement per message.
        session.execute(_MARK_SENT, with_ids)


def note_progress(session: Session, *, outbox_id: int, parts_sent: int) -> None:
    """Record that the first ``parts_sent`` parts of a split message are out."""
    session.execute(update(Outbox).where(Outbox.id == outbox_id).values(parts_sent=parts_sent))


RETRY_CAP = timedelta(hours=6)


def defer_outbox(session: Session, *, outbox_id: int, error: str, now: datetime) -> datetime | None:
    """Hold back a message a platform refused: retried after 1, 2, 4 … minutes, at most 6 hours.

    Returns when it is due again (None for an unknown or already delivered message).
    """
    row = session.get(Outbox, outbox_id)
    if row is None or row.delivered_at is not None:
        return None
    row.attempts += 1
    row.last_error = error[:500]
    row.not_before = now + min(RETRY_CAP, timedelta(minutes=2 ** min(row.attempts - 1, 10)))
    row.leased_until = None  # whichever worker sweeps first when it is due again
    session.add(row)
    return row.not_before


def stored_choice(session: Session, *, outbox_id: int, chat_id: int, index: int) -> str | None:
    """The action of option ``index`` under a bot message in that chat; None if there is none."""
    row = session.get(Outbox, outbox_id)
    if row is None or row.chat_id != chat_id or not 0 <= index < len(row.choices):
        return None
    action = row.choices[index].get("action")
    return action if isinstance(action, str) else None


def choice_in(row: Outbox, *, member_id: int, number: int) -> str | None:
    """The action of option ``number`` under a bot message, if this member may pick it."""
    if not 1 <= number <= len(row.choices):
        return None
    if row.choices_for is not None and row.choices_for != member_id:
        return None
    action = row.choices[number - 1].get("action")
    return action if isinstance(action, str) else None


def outbox_by_platform_message(session: Session, *, chat_id: int, platform_message_id: str) -> Outbox | None:
    """The bot message a platform message id belongs to (for replies to it)."""
    return session.exec(
        select(Outbox).where(Outbox.chat_id == chat_id, Outbox.platform_message_id == platform_message_id)
    ).first()


def add_choices(
    session: Session, *, chat_id: int, member_id: int | None, actions: list[str], now: datetime, expires_at: datetime
) -> None:
    """Remember numbered options so a reply "1" from the member (or anyone, without one) maps back."""
    write(session, _INSERT_CHOICES, dict(
        chat_id=chat_id, member_id=member_id, actions=actions, created_at=now, expires_at=expires_at
    ))


def pick_choice(session: Session, *, chat_id: int, member_id: int, number: int, now: datetime) -> str | None:
    """The action behind option ``number`` of the newest live choice this member may answer.

    Choices addressed to the member come before ones open to the whole chat only by being
    newer; the newest live set that has such an option wins.
    """
    rows = session.exec(
        select(PendingChoice)
        .where(
            PendingChoice.chat_id == chat_id,
            PendingChoice.expires_at > now,
            or_(PendingChoice.member_id == member_id, PendingChoice.member_id.is_(None)),
        )
        .order_by(PendingChoice.created_at.desc(), PendingChoice.id.desc())
        .limit(20)
    ).all()
    for row in rows:
        if 1 <= number <= len(row.actions):
            return row.actions[number - 1]
    return None

