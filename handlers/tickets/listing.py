"""Looking at tickets: #我的报事, #工单 27 (with its history) and #问题清单 of the chat's scope."""
from __future__ import annotations

from datetime import datetime

from bot.context import Context
from storage.models import Chat, Ticket, TicketEvent, TicketStatus
from storage.repo import tickets as tickets_repo

from handlers.tickets.audience import reply
from handlers.tickets.config import CATEGORIES, TicketsConfig
from handlers.tickets.feature import router
from handlers.tickets.overdue import due_reminder
from handlers.tickets.view import (
    ACTION_LABELS, assignee_name, headline, is_leaders, location, name_of, reporter_name, summary, ticket_from_args,
)

LIST_LIMIT = 40


def is_overdue(ticket: Ticket, config: TicketsConfig, now: datetime) -> bool:
    """Waiting for acceptance past the reminder time, or in hand with no update for too long."""
    return due_reminder(ticket, config.overdue, now) is not None


@router.command("我的报事", aliases=("mytickets",), summary="查看我报的和附议的事办到哪了",
                usage="#我的报事", example="#我的报事")
def my_tickets(ctx: Context) -> None:
    mine = tickets_repo.reported_by(ctx.session, member_id=ctx.member.id)
    backed = tickets_repo.supported_by(ctx.session, member_id=ctx.member.id)
    if not mine and not backed:
        reply(ctx, "您还没有报过事。发现问题可以发送 #报事 问题和位置，例如：#报事 3栋2单元楼道灯坏了")
        return
    lines = []
    if mine:
        lines.append(f"您报的事（最近 {len(mine)} 件）：")
        lines += [_line(ctx, t) for t in mine]
    if backed:
        lines.append(f"您附议的事（最近 {len(backed)} 件）：")
        lines += [_line(ctx, t) for t in backed]
    lines.append("发送 #工单 编号 查看详情。")
    reply(ctx, "\n".join(lines))


def _line(ctx: Context, ticket: Ticket) -> str:
    rating = f"，{ticket.rating}分" if ticket.rating else ""
    return f"{headline(ctx.session, ticket)}（{ticket.status.label}{rating}）"


@router.command("工单", aliases=("ticket",), summary="查看一件报事的详情和全部经过",
                usage="#工单 工单编号", example="#工单 27")
def show_ticket(ctx: Context) -> None:
    ticket = ticket_from_args(ctx)
    session = ctx.session
    lines = [f"{'🚨' if ticket.urgent else ''}#{ticket.number}【{ticket.category}】{ticket.status.label}"]
    lines.append(f"位置：{location(session, ticket) or '未说明'}")
    lines.append(f"内容：{ticket.text}")
    lines.append(f"报事人：{reporter_name(session, ticket, ctx.chat)}（{session.get(Chat, ticket.chat_id).name}）")
    supporters = tickets_repo.supports(session, ticket_id=ticket.id)
    if supporters:
        lines.append(f"附议：{len(supporters)} 人")
    if ticket.images:
        lines.append(f"照片：{len(ticket.images)} 张")
    assignee = assignee_name(session, ticket)
    if assignee:
        lines.append(f"处理：{assignee}")
    if ticket.duplicate_of_id:
        lines.append(f"已并入：#{session.get(Ticket, ticket.duplicate_of_id).number}")
    if ticket.rating:
        lines.append(f"评价：{ticket.rating} 分")
    lines.append("经过：")
    lines += [history_line(ctx, ticket, e, ctx.chat) for e in tickets_repo.history(session, ticket_id=ticket.id)]
    reply(ctx, "\n".join(lines), tag=f"ticket:{ticket.number}")


def history_line(ctx: Context, ticket: Ticket, event: TicketEvent, chat: Chat | None) -> str:
    """11-23 09:00 张阿姨 受理（待受理→已受理）：note"""
    when = ctx.local(event.at).strftime("%m-%d %H:%M")
    who = actor_name(ctx.session, ticket, event.actor_id, chat)
    change = ""
    if event.from_status != event.to_status:
        before = TicketStatus(event.from_status).label if event.from_status else "新"
        change = f"（{before}→{TicketStatus(event.to_status).label}）"
    note = f"：{event.note}" if event.note else ""
    return f"{when} {who} {ACTION_LABELS.get(event.action, event.action)}{change}{note}"


def actor_name(session, ticket: Ticket, actor_id: int | None, chat: Chat | None) -> str:
    """Who did it; an anonymous reporter stays "3栋居民" outside the leaders' chat."""
    if actor_id is not None and actor_id == ticket.reporter_id:
        return reporter_name(session, ticket, chat)
    return name_of(session, actor_id)


@router.command("问题清单", aliases=("tickets",), summary="本群范围内还没办完的报事，按类别列出",
                usage="#问题清单", example="#问题清单")
def open_list(ctx: Context) -> None:
    tickets = tickets_repo.open_tickets(ctx.session, community_id=ctx.community.id, chat=ctx.chat)
    scope = "全社区" if is_leaders(ctx.chat) or ctx.chat.kind == "community" else ctx.chat.name
    if not tickets:
        reply(ctx, f"{scope}目前没有待办的报事。")
        return
    config = ctx.config("tickets")
    late = sum(is_overdue(t, config, ctx.now) for t in tickets)
    lines = [f"{scope}问题清单：待办 {len(tickets)} 件" + (f"，其中超时 {late} 件（⏰）" if late else "")]
    by_category: dict[str, list[Ticket]] = {}
    for ticket in tickets:
        by_category.setdefault(ticket.category, []).append(ticket)
    shown = 0
    for category in sorted(by_category, key=CATEGORIES.index):
        lines.append(f"【{category}】{len(by_category[category])} 件")
        for ticket in by_category[category]:
            if shown == LIST_LIMIT:
                break
            shown += 1
            mark = "⏰" if is_overdue(ticket, config, ctx.now) else ""
            supporters = len(tickets_repo.supports(ctx.session, ticket_id=ticket.id))
            backing = f"，{supporters}人附议" if supporters else ""
            lines.append(f"{mark}#{ticket.number} {summary(ctx.session, ticket, 24)}（{ticket.status.label}{backing}）")
    if shown < len(tickets):
        lines.append(f"……还有 {len(tickets) - shown} 件，完整清单请导出问题清单表。")
    reply(ctx, "\n".join(lines))
