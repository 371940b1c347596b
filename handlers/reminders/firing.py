"""Sending a reminder when its job fires: holidays skipped, late runs marked, check-ins opened."""
from __future__ import annotations

import logging
from datetime import timedelta

from bot.context import Context
from storage.models import Reminder, ReminderStatus
from storage.repo import reminders as repo

from .feature import router
from .jobs import TASK
from .text import announcement

log = logging.getLogger(__name__)


@router.task(TASK)
def send(ctx: Context, reminder_id: int) -> None:
    """Post the reminder to its chats (broadcasts: held through quiet hours by the dispatcher)."""
    reminder = ctx.session.get(Reminder, reminder_id)
    if reminder is None or reminder.status != ReminderStatus.active:
        # Cancelled or paused in the moment between the job's firing and this run.
        log.info("reminder %s is not active; nothing sent", reminder_id)
        return
    scheduled = ctx.local(ctx.scheduled_at)
    if ctx.config("reminders").skips(reminder, scheduled.date()):
        log.info("reminder %s: %s is a holiday; skipped", reminder_id, scheduled.isoformat())
        return
    now = ctx.local(ctx.now)
    # People can only check in once they see the message: from the end of quiet hours, if it is held.
    opens = ctx.settings.quiet_hours.release(now) if reminder.checkin_minutes else None
    closes = opens + timedelta(minutes=reminder.checkin_minutes) if opens else None
    repo.add_occurrence(ctx.session, reminder_id=reminder.id, scheduled_at=ctx.scheduled_at, sent_at=ctx.now,
                        late=ctx.late, checkin_opens_at=opens, checkin_closes_at=closes)
    text = announcement(reminder, late_from=scheduled if ctx.late else None, checkin_until=closes, now=now)
    mentions = (reminder.creator_id,) if reminder.personal else ()
    for chat in repo.target_chats(ctx.session, reminder_id=reminder.id):
        ctx.send(chat, text, mentions=mentions, tag=f"reminder:{reminder.id}")
    if not reminder.recurring:
        repo.set_status(ctx.session, reminder=reminder, status=ReminderStatus.done, now=ctx.now)
