"""Tickets leaving the chat: the JSON export, the 问题清单 sheet, and lines for the weekly summary."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from bot.context import Context
from bot.export import iso
from storage.models import Building, Chat, Community, Grid, Member, Ticket, TicketEvent, TicketStatus, TicketSupport
from storage.repo import tickets as tickets_repo

from handlers.tickets.feature import router
from handlers.tickets.view import ACTION_LABELS

SATISFIED = 4  # a rating of 4 or 5 counts as satisfied


class _Lookup:
    """Rows every ticket refers to, loaded once per export."""

    def __init__(self, session: Session) -> None:
        self.buildings = {b.id: b.number for b in session.exec(select(Building))}
        self.grids = {g.id: g.key for g in session.exec(select(Grid))}
        self.chats = {c.id: c.key for c in session.exec(select(Chat))}
        self.names = {m.id: m.display_name for m in session.exec(select(Member))}
        self.communities = {c.id: c.key for c in session.exec(select(Community))}
        self.supports: dict[int, list[int]] = {}
        for s in session.exec(select(TicketSupport).order_by(TicketSupport.id)):
            self.supports.setdefault(s.ticket_id, []).append(s.member_id)
        self.history: dict[int, list[TicketEvent]] = {}
        for e in session.exec(select(TicketEvent).order_by(TicketEvent.at, TicketEvent.id)):
            self.history.setdefault(e.ticket_id, []).append(e)
        self.numbers = {t.id: t.number for t in session.exec(select(Ticket))}


def _tickets(session: Session) -> list[Ticket]:
    return list(session.exec(select(Ticket).order_by(Ticket.community_id, Ticket.number)))


@router.exporter("tickets")
def export_tickets(session: Session, *, refs: dict[int, str], tz) -> list[dict]:
    """Every ticket with the keys documented in the README (members by their export id)."""
    look = _Lookup(session)
    return [
        {
            "number": t.number,
            "status": t.status,
            "category": t.category,
            "building": look.buildings.get(t.building_id),
            "unit": t.unit,
            "room": t.room,
            "urgency": "urgent" if t.urgent else "normal",
            "reporter": refs.get(t.reporter_id),
            "chat": look.chats[t.chat_id],
            "supporters": [refs.get(m) for m in look.supports.get(t.id, [])],
            "assignee": refs.get(t.assignee_id) if t.assignee_id else t.council,
            "rating": t.rating,
            "created_at": iso(t.created_at, tz),
            "history": [
                {"at": iso(e.at, tz), "by": refs.get(e.actor_id) if e.actor_id else None, "action": e.action,
                 "from": e.from_status, "to": e.to_status, "note": e.note}
                for e in look.history.get(t.id, [])
            ],
        }
        for t in _tickets(session)
    ]


TABLE_HEADERS = [
    "社区", "编号", "状态", "分类", "紧急", "楼栋", "单元", "房号", "网格", "内容", "报事人", "匿名", "来源群",
    "附议人数", "附议人", "指派给", "理事会", "评分", "评价时间", "并入", "照片", "报事时间", "最近更新", "经过",
]


@router.table("tickets", "问题清单")
def tickets_table(session: Session, *, refs: dict[int, str], tz):
    """One row per ticket with every field, for the community office's spreadsheet."""
    look = _Lookup(session)

    def when(moment: datetime | None) -> str | None:
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else None

    def history(t: Ticket) -> str:
        return "\n".join(
            f"{when(e.at)} {look.names.get(e.actor_id, '系统')} {ACTION_LABELS.get(e.action, e.action)}"
            + (f"（{_label(e.from_status)}→{_label(e.to_status)}）" if e.from_status != e.to_status else "")
            + (f"：{e.note}" if e.note else "")
            for e in look.history.get(t.id, [])
        )

    rows = []
    for t in _tickets(session):
        supporters = look.supports.get(t.id, [])
        rows.append([
            look.communities[t.community_id], t.number, t.status.label, t.category, "是" if t.urgent else "否",
            look.buildings.get(t.building_id), t.unit, t.room, look.grids.get(t.grid_id), t.text,
            look.names[t.reporter_id], "是" if t.anonymous else "否", look.chats[t.chat_id],
            len(supporters), "、".join(look.names[m] for m in supporters),
            look.names.get(t.assignee_id), t.council, t.rating, when(t.rated_at),
            look.numbers.get(t.duplicate_of_id), "\n".join(t.images), when(t.created_at), when(t.updated_at),
            history(t),
        ])
    return TABLE_HEADERS, rows


def _label(status: str | None) -> str:
    return TicketStatus(status).label if status else "新"


@router.on("summary.collect")
def weekly_lines(ctx: Context, start: datetime, end: datetime, chat: Chat, lines: list[str]) -> None:
    """本周新报事 N 件、办结 M 件、满意率 X% for the chat's scope (a building, a grid, or all)."""
    counts = tickets_repo.counts_between(ctx.session, community_id=chat.community_id, chat=chat, start=start, end=end)
    ratings = counts["ratings"]
    rate = f"{round(100 * sum(r >= SATISFIED for r in ratings) / len(ratings))}%" if ratings else "暂无评价"
    lines.append(f"本周新报事 {counts['new']} 件、办结 {counts['resolved']} 件、满意率 {rate}")
