"""How a ticket is named in a chat: its number, location, reporter (or "3栋居民") and a short excerpt."""
from __future__ import annotations

from bot.commands import normalize, record_number
from bot.context import Context
from bot.errors import NotFound, UsageError
from storage.models import Building, Chat, ChatKind, Member, Ticket
from storage.repo import tickets as tickets_repo

from handlers.tickets.masking import mask
from handlers.tickets.parser import parse_location

EXCERPT = 40
ACTION_LABELS = {
    "report": "报事", "accept": "受理", "assign": "指派", "progress": "进展", "resolve": "办结",
    "reject": "驳回", "rate": "评价", "reopen": "未解决，重新打开", "merge": "并入", "absorb": "合并",
    "support": "附议", "photo": "照片", "remind": "超时提醒", "escalate": "超时督办", "stale": "催办",
}


def read_number(text: str) -> int | None:
    """A ticket number as people write it: 27, #27, ＃２７, 27号."""
    return record_number(normalize(text).strip().rstrip("号"))


def ticket_from_args(ctx: Context, *, what: str = "工单编号") -> Ticket:
    """The ticket named by the command's first argument; usage help when it is missing or malformed."""
    argv = ctx.argv
    if not argv:
        raise UsageError(f"请写明{what}。")
    number = read_number(argv[0])
    if number is None:
        raise UsageError(f"“{argv[0]}”不是{what}。")
    return find(ctx, number)


def find(ctx: Context, number: int) -> Ticket:
    """The ticket, its row locked for this transaction (most callers are about to change it)."""
    ticket = tickets_repo.by_number(ctx.session, community_id=ctx.community.id, number=number, lock=True)
    if ticket is None:
        raise NotFound(f"没有 #{number} 这件报事，请核对编号（发送 #我的报事 查看您报的事）。")
    return ticket


def rest_of_args(ctx: Context) -> str:
    """Everything after the ticket number: a note, a reason, a name."""
    parts = ctx.args.strip().split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def location(session, ticket: Ticket) -> str:
    """3栋2单元301, or an empty string when the report named no place."""
    parts = []
    if ticket.building_id:
        parts.append(f"{session.get(Building, ticket.building_id).number}栋")
    if ticket.unit:
        parts.append(f"{ticket.unit}单元")
    if ticket.room:
        parts.append(ticket.room)
    return "".join(parts)


def reporter_name(session, ticket: Ticket, chat: Chat | None) -> str:
    """The reporter's name; an anonymous one is "3栋居民" everywhere but the leaders' chat."""
    if ticket.anonymous and not is_leaders(chat):
        building = session.get(Building, ticket.building_id) if ticket.building_id else None
        return f"{building.number}栋居民" if building else "本社区居民"
    name = session.get(Member, ticket.reporter_id).display_name
    return f"{name}（匿名）" if ticket.anonymous else name


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """The start of a resident's words, masked before it is cut (a cut number would escape the mask)."""
    text = " ".join(mask(text).split())
    return text if len(text) <= limit else text[:limit] + "…"


def summary(session, ticket: Ticket, limit: int = EXCERPT) -> str:
    """3栋 楼道灯坏了…: the place is added when the words do not name a building themselves."""
    place = location(session, ticket)
    if place and parse_location(ticket.text)[0] is not None:
        place = ""
    return f"{place + ' ' if place else ''}{excerpt(ticket.text, limit)}"


def headline(session, ticket: Ticket) -> str:
    """#27【设施维修】3栋 楼道灯坏了…"""
    return f"#{ticket.number}【{ticket.category}】{summary(session, ticket)}"


def is_leaders(chat: Chat | None) -> bool:
    return chat is not None and chat.kind == ChatKind.leaders


def name_of(session, member_id: int | None) -> str:
    return session.get(Member, member_id).display_name if member_id else "系统"


def assignee_name(session, ticket: Ticket) -> str | None:
    if ticket.assignee_id:
        return name_of(session, ticket.assignee_id)
    return ticket.council
