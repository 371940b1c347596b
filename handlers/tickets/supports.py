"""Supports (附议): "me too" by command, by "+1" in reply to a ticket message, or by a button."""
from __future__ import annotations

from bot.commands import normalize
from bot.context import Context
from bot.errors import UserError
from storage.models import Ticket, TicketStatus
from storage.repo import tickets as tickets_repo

from handlers.tickets.audience import reply
from handlers.tickets.feature import router
from handlers.tickets.view import find, read_number, ticket_from_args

PLUS_ONE = frozenset({"+1", "附议", "我附议", "我也附议", "同附议", "+1附议"})


@router.command(
    "附议",
    aliases=("support",),
    summary="我也遇到了：为一件报事附议，一起收到进展",
    usage="#附议 工单编号（或回复工单消息“+1”）",
    example="#附议 27",
)
def support_command(ctx: Context) -> None:
    support(ctx, ticket_from_args(ctx))


@router.message(priority=45)
def plus_one(ctx: Context) -> bool:
    """"+1" or "附议" quoting one of the bot's ticket messages."""
    said = normalize(ctx.event.text).strip().rstrip("!！。.~～ ").replace(" ", "")
    if said not in PLUS_ONE:
        return False
    tag = ctx.replied_to_tag()
    if not tag or not tag.startswith("ticket:"):
        return False
    number = read_number(tag.partition(":")[2])
    if number is None:
        return False
    support(ctx, find(ctx, number))
    return True


@router.action("tickets.support")
def support_button(ctx: Context, number: str) -> None:
    found = read_number(number)
    if found is None:
        raise UserError("这个选项已经失效了。")
    support(ctx, find(ctx, found))


def support(ctx: Context, ticket: Ticket) -> None:
    """Add the sender as a supporter; a merged ticket's supports go to the one it was merged into."""
    merged_from = None
    if ticket.status == TicketStatus.duplicate and ticket.duplicate_of_id:
        merged_from, ticket = ticket, ctx.session.get(Ticket, ticket.duplicate_of_id)
    n = ticket.number
    if not ticket.status.is_open:
        raise UserError(f"#{n} {ticket.status.label}了，不需要附议。问题还在的话，请发送 #报事 重新登记。")
    if ticket.reporter_id == ctx.member.id:
        raise UserError(f"#{n} 是您自己报的事，不用附议。")
    if not tickets_repo.add_support(ctx.session, ticket_id=ticket.id, member_id=ctx.member.id,
                                    chat_id=ctx.chat.id, now=ctx.now):
        raise UserError(f"您已经附议过 #{n} 了。")
    tickets_repo.record(ctx.session, ticket, actor_id=ctx.member.id, action="support", now=ctx.now, touch=False)
    count = len(tickets_repo.supports(ctx.session, ticket_id=ticket.id))
    via = f"#{merged_from.number} 已并入 #{n}。" if merged_from else ""
    reply(ctx, f"{via}已附议 #{n}（共 {count} 人附议），有进展会在本群告诉您。", tag=f"ticket:{n}")


def carry_over(ctx: Context, source: Ticket, target: Ticket) -> int:
    """Make the reporter and supporters of a duplicate supporters of the ticket it merges into."""
    people = [(source.reporter_id, source.chat_id)]
    people += [(s.member_id, s.chat_id) for s in tickets_repo.supports(ctx.session, ticket_id=source.id)]
    added = 0
    for member_id, chat_id in people:
        if member_id != target.reporter_id:
            added += tickets_repo.add_support(ctx.session, ticket_id=target.id, member_id=member_id,
                                              chat_id=chat_id, now=ctx.now)
    return added
