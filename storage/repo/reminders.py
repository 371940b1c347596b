"""Look-ups and changes for reminders, their target chats, sendings and check-ins."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import column, func, table, update
from sqlmodel import Session, select

from storage.models import (
    Chat, Reminder, ReminderChat, ReminderCheckin, ReminderOccurrence, ReminderStatus,
)
from storage.models.reminders import LIVE_STATUSES
from storage.repo.conflict import insert_once

# APScheduler's job store table (bot.scheduler keeps it in our database).
_JOBS = table("apscheduler_jobs", column("id"), column("next_run_time"))


def lock_chats(session: Session, *, chat_ids: Iterable[int]) -> None:
    """Serialise writers that count reminders per chat until this transaction ends.

    A no-op write takes PostgreSQL's row locks and SQLite's database write lock alike, so
    a second writer counts only after the first has committed (SELECT ... FOR UPDATE
    would do nothing on SQLite).
    """
    ids = sorted(set(chat_ids))
    session.execute(
        update(Chat).where(Chat.id.in_(ids)).values(passive_reports=Chat.passive_reports),
        execution_options={"synchronize_session": False},
    )


def live_counts(session: Session, *, chat_ids: Iterable[int]) -> dict[int, int]:
    """How many active or paused reminders go to each chat."""
    rows = session.exec(
        select(ReminderChat.chat_id, func.count())
        .join(Reminder, Reminder.id == ReminderChat.reminder_id)
        .where(ReminderChat.chat_id.in_(list(chat_ids)), Reminder.status.in_(LIVE_STATUSES))
        .group_by(ReminderChat.chat_id)
    ).all()
    return dict(rows)


def live_personal_count(session: Session, *, member_id: int) -> int:
    """How many active or paused reminders a member has set for themselves."""
    return session.exec(
        select(func.count()).select_from(Reminder)
        .where(Reminder.creator_id == member_id, Reminder.personal.is_(True), Reminder.status.in_(LIVE_STATUSES))
    ).one()


def add_reminder(
    session: Session, *, community_id: int, creator_id: int, chat_id: int, text: str,
    schedule: dict[str, Any], recurring: bool, skip_holidays: bool, checkin_minutes: int | None,
    personal: bool, target_ids: list[int], now: datetime,
) -> Reminder:
    reminder = Reminder(
        community_id=community_id, creator_id=creator_id, chat_id=chat_id, text=text, schedule=schedule,
        recurring=recurring, skip_holidays=skip_holidays, checkin_minutes=checkin_minutes,
        personal=personal, created_at=now,
    )
    session.add(reminder)
    session.flush()
    for target in dict.fromkeys(target_ids):
        session.add(ReminderChat(reminder_id=reminder.id, chat_id=target))
    session.flush()
    return reminder


def reminder(session: Session, *, community_id: int, reminder_id: int) -> Reminder | None:
    row = session.get(Reminder, reminder_id)
    return row if row is not None and row.community_id == community_id else None


def target_chats(session: Session, *, reminder_id: int) -> list[Chat]:
    return list(session.exec(
        select(Chat).join(ReminderChat, ReminderChat.chat_id == Chat.id)
        .where(ReminderChat.reminder_id == reminder_id).order_by(Chat.id)
    ).all())


def targets_by_reminder(session: Session, *, reminder_ids: Iterable[int]) -> dict[int, list[Chat]]:
    """Each reminder's target chats, in one query."""
    result: dict[int, list[Chat]] = {}
    rows = session.exec(
        select(ReminderChat.reminder_id, Chat).join(Chat, Chat.id == ReminderChat.chat_id)
        .where(ReminderChat.reminder_id.in_(list(reminder_ids))).order_by(Chat.id)
    ).all()
    for reminder_id, chat in rows:
        result.setdefault(reminder_id, []).append(chat)
    return result


def live_reminders(session: Session, *, community_id: int | None = None) -> list[Reminder]:
    """Active and paused reminders, oldest first (all communities when none is given)."""
    query = select(Reminder).where(Reminder.status.in_(LIVE_STATUSES)).order_by(Reminder.id)
    if community_id is not None:
        query = query.where(Reminder.community_id == community_id)
    return list(session.exec(query).all())


def all_reminders(session: Session) -> list[Reminder]:
    return list(session.exec(select(Reminder).order_by(Reminder.id)).all())


def set_status(session: Session, *, reminder: Reminder, status: ReminderStatus, now: datetime) -> None:
    reminder.status = status
    reminder.ended_at = now if status in (ReminderStatus.done, ReminderStatus.cancelled) else None
    session.add(reminder)
    session.flush()


def add_occurrence(
    session: Session, *, reminder_id: int, scheduled_at: datetime, sent_at: datetime, late: bool,
    checkin_opens_at: datetime | None, checkin_closes_at: datetime | None,
) -> ReminderOccurrence:
    row = ReminderOccurrence(
        reminder_id=reminder_id, scheduled_at=scheduled_at, sent_at=sent_at, late=late,
        checkin_opens_at=checkin_opens_at, checkin_closes_at=checkin_closes_at,
    )
    session.add(row)
    session.flush()
    return row


def _sendings_to(chat_id: int):
    return (select(ReminderOccurrence)
            .join(ReminderChat, ReminderChat.reminder_id == ReminderOccurrence.reminder_id)
            .where(ReminderChat.chat_id == chat_id))


def checkin_window(session: Session, *, chat_id: int, now: datetime) -> ReminderOccurrence | None:
    """The check-in window open in a chat at ``now`` (the most recently opened one)."""
    return session.exec(
        _sendings_to(chat_id)
        .where(ReminderOccurrence.checkin_opens_at <= now, ReminderOccurrence.checkin_closes_at > now)
        .order_by(ReminderOccurrence.checkin_opens_at.desc(), ReminderOccurrence.id.desc())
    ).first()


def last_closed_window(session: Session, *, chat_id: int, now: datetime, since: datetime) -> ReminderOccurrence | None:
    """The check-in window in a chat that closed most recently, between ``since`` and ``now``."""
    return session.exec(
        _sendings_to(chat_id)
        .where(ReminderOccurrence.checkin_closes_at <= now, ReminderOccurrence.checkin_closes_at > since)
        .order_by(ReminderOccurrence.checkin_closes_at.desc())
    ).first()


def add_checkin(
    session: Session, *, occurrence: ReminderOccurrence, member_id: int, chat_id: int, now: datetime,
) -> int | None:
    """Record a member's check-in; None when they had already checked in for this occurrence.

    INSERT ... ON CONFLICT DO NOTHING on the unique (occurrence, member) decides, so two
    racing messages record one check-in and neither transaction fails.
    """
    row = insert_once(session, ReminderCheckin, dict(
        occurrence_id=occurrence.id, reminder_id=occurrence.reminder_id, member_id=member_id,
        chat_id=chat_id, checked_in_at=now,
    ), keys=("occurrence_id", "member_id"))
    return row[0] if row is not None else None


def checkin_count(session: Session, *, occurrence_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(ReminderCheckin).where(ReminderCheckin.occurrence_id == occurrence_id)
    ).one()


def checkin_totals(session: Session, *, reminder_ids: Iterable[int]) -> dict[int, int]:
    """Check-ins recorded per reminder, over all its occurrences."""
    rows = session.exec(
        select(ReminderCheckin.reminder_id, func.count())
        .where(ReminderCheckin.reminder_id.in_(list(reminder_ids)))
        .group_by(ReminderCheckin.reminder_id)
    ).all()
    return dict(rows)


def checkins(session: Session) -> list[tuple[ReminderCheckin, ReminderOccurrence]]:
    """Every check-in with its occurrence, in the order they happened."""
    return list(session.exec(
        select(ReminderCheckin, ReminderOccurrence)
        .join(ReminderOccurrence, ReminderOccurrence.id == ReminderCheckin.occurrence_id)
        .order_by(ReminderCheckin.checked_in_at, ReminderCheckin.id)
    ).all())


def job_next_run(session: Session, *, job_id: str) -> datetime | None:
    """When the scheduler will next run a job, read from its store; None if paused or absent."""
    stamp = session.execute(select(_JOBS.c.next_run_time).where(_JOBS.c.id == job_id)).scalar()
    return datetime.fromtimestamp(stamp, timezone.utc) if stamp is not None else None
