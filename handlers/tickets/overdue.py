"""Overdue tickets, checked hourly on the scheduler: remind the grid leader, escalate to staff, ask the assignee.

Each reminder goes out once per threshold and waiting period (recorded in ticket_reminder),
so checking often, late, or twice never repeats one; a reopened ticket or a fresh progress
note starts a new waiting period.
"""
from __future__ import annotations

from datetime import time, timedelta

from apscheduler.triggers.cron import CronTrigger

from bot.context import Context
from storage.models import Chat, Ticket, TicketStatus
from storage.repo import tickets as tickets_repo

from handlers.tickets.audience import handlers_of, leaders_chats, post
from handlers.tickets.config import OverdueConfig
from handlers.tickets.feature import router
from handlers.tickets.view import assignee_name, headline

TASK = "tickets.overdue"


def job_id(community_key: str) -> str:
    return f"ticket-overdue:{community_key}"


@router.on_startup
def ensure_overdue_job(ctx: Context) -> None:
    """An hourly check per community; an existing job keeps its schedule (missed runs are caught up).

    It skips the quiet hours: a reminder found at night would only wait for the morning,
    and the first check after them sends it then.
    """
    quiet = ctx.settings.quiet_hours
    hours = [h for h in range(24) if not quiet.contains(time(h))] or list(range(24))
    ctx.services.require_scheduler().ensure(
        job_id(ctx.community.key), TASK, CronTrigger(hour=",".join(map(str, hours)), minute=0, timezone=ctx.settings.tz),
        args={"community": ctx.community.key}, now=ctx.now,
    )


@router.task(TASK)
def check_overdue(ctx: Context) -> int:
    """Send the reminders that are due now; returns how many tickets were reminded about."""
    config = ctx.config("tickets").overdue
    leaders = leaders_chats(ctx)
    batches: dict[tuple[str, tuple[int, ...], tuple[int, ...]], list[str]] = {}
    reminded = 0
    for ticket in tickets_repo.open_tickets(ctx.session, community_id=ctx.community.id):
        kind = due_reminder(ticket, config, ctx.now)
        if kind is None or not tickets_repo.claim_reminder(
            ctx.session, ticket_id=ticket.id, kind=kind, since=ticket.updated_at, now=ctx.now
        ):
            continue
        reminded += 1
        tickets_repo.record(ctx.session, ticket, actor_id=None, action=kind, now=ctx.now, touch=False,
                            note=_NOTES[kind])
        chats, mentions = _recipients(ctx, ticket, kind, leaders)
        key = (kind, tuple(c.id for c in chats), mentions)
        batches.setdefault(key, []).append(_line(ctx, ticket, kind))
    for (kind, chat_ids, mentions), lines in batches.items():
        text = "\n".join([_header(kind, config), *lines, _FOOTERS[kind]])
        for chat_id in chat_ids:
            post(ctx, ctx.session.get(Chat, chat_id), text, mentions=mentions)
    return reminded


def due_reminder(ticket: Ticket, config: OverdueConfig, now) -> str | None:
    """The highest threshold the ticket has passed in its current waiting period, if any."""
    waited = now - ticket.updated_at
    if ticket.status in (TicketStatus.pending, TicketStatus.reopened):
        if waited >= timedelta(hours=config.escalate_hours):
            return "escalate"
        if waited >= timedelta(hours=config.remind_hours):
            return "remind"
    elif ticket.status in (TicketStatus.accepted, TicketStatus.in_progress):
        if waited >= timedelta(days=config.stale_days):
            return "stale"
    return None


def _recipients(ctx: Context, ticket: Ticket, kind: str, leaders: list[Chat]) -> tuple[list[Chat], tuple[int, ...]]:
    """Where the reminder goes and whom it @mentions."""
    chats = leaders or [ctx.session.get(Chat, ticket.chat_id)]
    if kind == "escalate":
        return chats, tuple(m.id for m in tickets_repo.staff(ctx.session, community_id=ctx.community.id))
    if kind == "stale" and ticket.assignee_id:
        asked_in = ctx.session.get(Chat, ticket.assigned_chat_id) if ticket.assigned_chat_id else None
        return ([asked_in] if asked_in else chats), (ticket.assignee_id,)
    return chats, tuple(m.id for m in handlers_of(ctx, ticket))


def _line(ctx: Context, ticket: Ticket, kind: str) -> str:
    waited = ctx.now - ticket.updated_at
    if kind == "stale":
        who = assignee_name(ctx.session, ticket)
        return f"{headline(ctx.session, ticket)}（{waited.days} 天没有更新{'，处理：' + who if who else ''}）"
    return f"{headline(ctx.session, ticket)}（已等 {int(waited.total_seconds() // 3600)} 小时）"


def _header(kind: str, config: OverdueConfig) -> str:
    if kind == "remind":
        return f"⏰ 这些报事超过 {config.remind_hours} 小时还没有受理："
    if kind == "escalate":
        return f"⚠️ 这些报事超过 {config.escalate_hours} 小时还没有受理，请社区工作者督办："
    return f"⏳ 这些报事已 {config.stale_days} 天没有新进展："


_FOOTERS = {
    "remind": "请尽快处理：#受理 编号，或 #驳回 编号 原因。",
    "escalate": "网格长未能及时受理，请协调处理。",
    "stale": "请更新进展（#进展 编号 说明），或办好后告诉网格长办结。",
}
_NOTES = {"remind": "超时未受理，已提醒网格长", "escalate": "超时未受理，已报社区工作者", "stale": "久无进展，已催办"}
