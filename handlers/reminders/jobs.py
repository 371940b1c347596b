"""The scheduler job behind each active reminder: ``reminder:<id>`` running the task ``reminder.send``."""
from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.when import OneShot, Recurring, from_spec
from storage.models import Reminder

TASK = "reminder.send"


def job_id(reminder_id: int) -> str:
    return f"reminder:{reminder_id}"


def job_args(ctx: Context, reminder: Reminder) -> dict[str, Any]:
    return {"community": ctx.community.key, "reminder_id": reminder.id}


def grace_seconds(ctx: Context) -> int:
    return ctx.config("reminders").grace_minutes * 60


def schedule_of(reminder: Reminder) -> OneShot | Recurring:
    return from_spec(reminder.schedule)


def schedule(ctx: Context, reminder: Reminder) -> None:
    """(Re)create the reminder's job once this transaction commits, timed from ``ctx.now``."""
    trigger = schedule_of(reminder).trigger(ctx.settings.tz)
    ctx.schedule(job_id(reminder.id), TASK, trigger, args=job_args(ctx, reminder), grace_seconds=grace_seconds(ctx))
