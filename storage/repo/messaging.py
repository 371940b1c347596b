"""The idempotency record, the outbox and pending numbered choices."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.models import Outbox, PendingChoice, ProcessedMessage


def claim_message(
    session: Session, *, platform: str, chat_external_id: str, message_id: str, now: datetime
) -> bool:
    """Record a platform message as handled; False when it was handled before.

    The unique constraint, not a prior read, decides: two workers racing on one message
    cannot both win. A False return leaves the session unusable; the caller rolls back.
    """
    session.add(
        ProcessedMessage(
            platform=platform, chat_external_id=chat_external_id, message_id=message_id, handled_at=now
        )
    )
    try:
        session.flush()
    except IntegrityError:
        return False
    return True


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
) -> Outbox:
    row = Outbox(
        chat_id=chat_id,
        text=text,
        mentions=list(mentions),
        image=image,
        choices=list(choices),
        urgent=urgent,
        tag=tag,
        choices_for=choices_for,
        created_at=now,
        not_before=not_before,
    )
    session.add(row)
    return row


def due_outbox(session: Session, *, now: datetime, limit: int = 500) -> list[Outbox]:
    """Undelivered messages whose time has come, oldest first."""
    return list(
        session.exec(
            select(Outbox)
            .where(Outbox.delivered_at.is_(None), Outbox.not_before <= now)
            .order_by(Outbox.not_before, Outbox.id)
            .limit(limit)
        ).all()
    )


def next_held(session: Session, *, after: datetime) -> datetime | None:
    """When the earliest held (not yet due) message becomes due."""
    return session.exec(
        select(Outbox.not_before)
        .where(Outbox.delivered_at.is_(None), Outbox.not_before > after)
        .order_by(Outbox.not_before)
        .limit(1)
    ).first()


def mark_delivered(session: Session, *, sent: list[tuple[int, str | None]], at: datetime) -> None:
    """Record delivery of (outbox id, platform message id) pairs."""
    plain = [i for i, pid in sent if pid is None]
    if plain:
        session.execute(update(Outbox).where(Outbox.id.in_(plain)).values(delivered_at=at))
    for outbox_id, pid in sent:
        if pid is not None:
            session.execute(
                update(Outbox).where(Outbox.id == outbox_id).values(delivered_at=at, platform_message_id=pid)
            )


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
    session.add(
        PendingChoice(chat_id=chat_id, member_id=member_id, actions=actions, created_at=now, expires_at=expires_at)
    )


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

