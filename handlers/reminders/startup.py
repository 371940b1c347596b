"""At start: load the time parser once, and give every active reminder its job back if it lost it."""
from __future__ import annotations

import logging
from datetime import timedelta

from bot import when
from bot.context import Context
from bot.when import OneShot
from storage.models import ReminderStatus
from storage.repo import reminders as repo

from . import jobs
from .feature import router

log = logging.getLogger(__name__)


@router.on_startup
def warm_up(ctx: Context) -> None:
    """Pay for jionlp now rather than during the first #提醒: its import (~0.5-1 s, output
    swallowed) and the tables its parser builds on the first call (~0.2 s)."""
    when.warm_up()
    when.split_when("每周六早上8点 卫生大扫除", now=ctx.now)


@router.on_startup
def restore_jobs(ctx: Context) -> None:
    """Re-create a job missing for an active reminder; drop jobs of reminders no longer active.

    A job can go missing when the process stops between a commit and the scheduler change
    that follows it. A stored job is never replaced here: its next run time is what lets a
    run missed while the bot was down be caught up (or skipped) by the scheduler.
    """
    scheduler = ctx.services.require_scheduler()
    grace = jobs.grace_seconds(ctx)
    for reminder in repo.live_reminders(ctx.session, community_id=ctx.community.id):
        job = jobs.job_id(reminder.id)
        exists = scheduler.get(job) is not None
        if reminder.status == ReminderStatus.paused:
            if exists:
                scheduler.remove(job)
            continue
        if exists:
            continue
        schedule = jobs.schedule_of(reminder)
        if isinstance(schedule, OneShot) and schedule.at + timedelta(seconds=grace) < ctx.now:
            log.warning("reminder %s: its time %s passed while it had no job; marked done",
                        reminder.id, schedule.at.isoformat())
            repo.set_status(ctx.session, reminder=reminder, status=ReminderStatus.done, now=ctx.now)
            continue
        log.warning("reminder %s had no scheduled job; scheduled again", reminder.id)
        scheduler.put(job, jobs.TASK, schedule.trigger(ctx.settings.tz), args=jobs.job_args(ctx, reminder),
                      now=ctx.now, grace_seconds=grace)
