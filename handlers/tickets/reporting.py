"""Reporting: #报事 and #匿名报事, photos that follow, and the one offer to register a plain message."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.commands import record_number
from bot.context import Context
from bot.errors import Forbidden, UsageError, UserError
from bot.events import Choice
from bot.router import STAFF
from storage.models import Building, Chat, Ticket, TicketOffer, TicketStatus
from storage.repo import community as community_repo
from storage.repo import tickets as tickets_repo

from handlers.tickets.audience import handlers_of, reply, tell_leaders
from handlers.tickets.config import CATEGORIES, OTHER
from handlers.tickets.feature import router
from handlers.tickets.parser import parse, parse_location
from handlers.tickets.safety import safety_hint
from handlers.tickets.similar import most_similar
from handlers.tickets.view import excerpt, headline, reporter_name

PHOTO_WINDOW = timedelta(minutes=2)
OFFER_COOLDOWN = timedelta(minutes=10)
STALE = "这个选项已经失效了。"


@router.command(
    "报事",
    aliases=("report",),
    summary="登记一件需要解决的问题，网格长受理后跟进",
    usage="#报事 什么问题、在哪里",
    example="#报事 3栋2单元楼道灯坏了",
)
def report(ctx: Context) -> None:
    """Register the rest of the message as a ticket."""
    _report(ctx, anonymous=False)


@router.command(
    "匿名报事",
    aliases=("anonreport",),
    summary="匿名登记问题，群里只显示“几栋居民”",
    usage="#匿名报事 什么问题、在哪里",
    example="#匿名报事 5栋楼下消防通道天天被车堵",
)
def report_anonymously(ctx: Context) -> None:
    """Register a ticket whose reporter only the leaders' chat sees."""
    _report(ctx, anonymous=True)


def _report(ctx: Context, *, anonymous: bool) -> None:
    text = ctx.args.strip()
    if not text:
        raise UsageError("请写明是什么问题、在哪里。")
    images = [image.ref for image in getattr(ctx.event, "images", ())]
    register(ctx, text, anonymous=anonymous, images=images, look_for_same=True)


def register(ctx: Context, text: str, *, anonymous: bool, images: list[str], look_for_same: bool) -> Ticket:
    """Create a ticket from the sender's words in this chat and tell the reporter and the leaders."""
    ticket = _create(ctx, text, anonymous=anonymous, images=images)
    same = _same_open_ticket(ctx, ticket) if look_for_same else None
    _confirm(ctx, ticket, same)
    _announce(ctx, ticket)
    return ticket


def _create(ctx: Context, text: str, *, anonymous: bool, images: list[str]) -> Ticket:
    result = parse(text)
    if result.is_report:
        category, place, urgent = result.category, (result.building, result.unit, result.room), result.urgency == "urgent"
    else:
        # An explicit #报事 is a ticket even when the parser does not read it as one.
        category, place, urgent = OTHER, parse_location(text), False
    building, unit, room = _place(ctx, *place)
    ticket = Ticket(
        community_id=ctx.community.id,
        number=tickets_repo.next_number(ctx.session, community_id=ctx.community.id),
        category=category if category in CATEGORIES else OTHER,
        building_id=building.id if building else None,
        grid_id=building.grid_id if building and building.grid_id else ctx.chat.grid_id,
        unit=unit, room=room, urgent=urgent, text=text, anonymous=anonymous,
        reporter_id=ctx.member.id, chat_id=ctx.chat.id, images=list(images),
        created_at=ctx.now, updated_at=ctx.now,
    )
    ctx.session.add(ticket)
    ctx.session.flush()
    note = f"附照片 {len(images)} 张" if images else None
    tickets_repo.record(ctx.session, ticket, actor_id=ctx.member.id, action="report", now=ctx.now,
                        to_status=TicketStatus.pending, note=note, created=True)
    return ticket


def _place(ctx: Context, number: str | None, unit: str | None, room: str | None):
    """The building the report names, else the building chat's own; an unknown building names none."""
    if number is not None:
        building = community_repo.building_by_number(ctx.session, community_id=ctx.community.id, number=number)
        return (building, unit, room) if building else (None, None, None)
    if ctx.chat.building_id:
        return ctx.session.get(Building, ctx.chat.building_id), unit, room
    return None, unit, room


def _same_open_ticket(ctx: Context, ticket: Ticket) -> Ticket | None:
    """An open ticket of the same category and building that reads like this one."""
    if ticket.building_id is None:
        return None
    candidates = [
        t for t in tickets_repo.open_tickets_like(ctx.session, community_id=ctx.community.id,
                                                  category=ticket.category, building_id=ticket.building_id)
        if t.id != ticket.id
    ]
    return most_similar(ticket.text, candidates)


def _confirm(ctx: Context, ticket: Ticket, same: Ticket | None) -> None:
    """Tell the reporter what was registered; urgent ones @mention who must act, at once."""
    n = ticket.number
    lines = [f"{'🚨' if ticket.urgent else ''}{'已匿名登记' if ticket.anonymous else '已登记'}"
             f"{'紧急报事' if ticket.urgent else ''} {headline(ctx.session, ticket)}"]
    if ticket.images:
        lines.append(f"（含照片 {len(ticket.images)} 张）")
    mentions: tuple[int, ...] = ()
    if ticket.urgent:
        hint = safety_hint(ticket.text, ticket.category)
        if hint:
            lines.append(f"安全提示：{hint}")
        mentions = _urgent_contacts(ctx, ticket)
        lines.append("已通知网格长和社区工作者。")
    else:
        lines.append("网格长受理后会在本群告诉您。")
    if ticket.anonymous:
        lines.append(f"群里只显示“{reporter_name(ctx.session, ticket, None)}”。")
    lines.append(f"邻居遇到同样的问题，可回复本条“+1”或发送 #附议 {n}。")
    choices: tuple[Choice, ...] = ()
    if same is not None:
        supporters = len(tickets_repo.supports(ctx.session, ticket_id=same.id))
        lines.append(f"是否与 #{same.number} 相同？{headline(ctx.session, same)}"
                     f"（{same.status.label}，{supporters} 人附议）")
        choices = (Choice(f"相同，并入 #{same.number} 并附议", f"tickets.merge:{n}:{same.number}"),)
    reply(ctx, "\n".join(lines), mentions=mentions, choices=choices, urgent=ticket.urgent, tag=f"ticket:{n}")


def _announce(ctx: Context, ticket: Ticket) -> None:
    """The leaders' chat hears of every new ticket, with 受理 / 驳回 to press."""
    n = ticket.number
    council = ctx.config("tickets").council_for(ticket.category)
    hint = safety_hint(ticket.text, ticket.category) if ticket.urgent else None

    def compose(chat: Chat) -> str:
        lines = [f"{'🚨紧急报事' if ticket.urgent else '新报事'} {headline(ctx.session, ticket)}",
                 f"报事人：{reporter_name(ctx.session, ticket, chat)}（{ctx.chat.name}）"]
        if excerpt(ticket.text) != ticket.text:
            lines.append(f"原话：{ticket.text}")
        if ticket.images:
            lines.append(f"照片 {len(ticket.images)} 张")
        if hint:
            lines.append(f"安全提示：{hint}")
        if council:
            lines.append(f"可指派：{council}（#指派 {n} {council}）")
        lines.append(f"发送 #受理 {n}，或 #驳回 {n} 原因")
        return "\n".join(lines)

    mentions = _urgent_contacts(ctx, ticket) if ticket.urgent else tuple(m.id for m in handlers_of(ctx, ticket))
    choices = (Choice("受理", f"tickets.accept:{n}"), Choice("驳回", f"tickets.reject:{n}"))
    tell_leaders(ctx, ticket, compose, mentions=mentions, choices=choices, urgent=ticket.urgent,
                 image=ticket.images[0] if ticket.images else None)


def _urgent_contacts(ctx: Context, ticket: Ticket) -> tuple[int, ...]:
    """The grid leader(s) and every staff member, once each."""
    people = handlers_of(ctx, ticket) + tickets_repo.staff(ctx.session, community_id=ctx.community.id)
    return tuple(dict.fromkeys(m.id for m in people if m.id != ctx.member.id))


# -- photos and passive reports -----------------------------------------------------------

@router.message(priority=40)
def attach_photos(ctx: Context) -> bool:
    """A photo from the same sender within two minutes of a report (or an offer) goes with it."""
    images = [image.ref for image in getattr(ctx.event, "images", ())]
    if not images:
        return False
    since = ctx.now - PHOTO_WINDOW
    ticket = tickets_repo.latest_by_reporter(ctx.session, reporter_id=ctx.member.id, chat_id=ctx.chat.id, since=since)
    if ticket is not None:
        ticket.images = [*ticket.images, *images]
        tickets_repo.record(ctx.session, ticket, actor_id=ctx.member.id, action="photo", now=ctx.now,
                            note=f"附照片 {len(images)} 张", touch=False)
        reply(ctx, f"照片已附到 #{ticket.number}。", tag=f"ticket:{ticket.number}")
        return True
    offer = ctx.session.exec(
        select(TicketOffer).where(
            TicketOffer.member_id == ctx.member.id, TicketOffer.chat_id == ctx.chat.id,
            TicketOffer.created_at >= since, TicketOffer.ticket_id.is_(None),
        )
    ).first()
    if offer is not None:
        offer.images = [*offer.images, *images]
        ctx.session.add(offer)
        reply(ctx, "照片收到了，登记时会一并附上。")
        return True
    return False


@router.message(priority=900)
def offer_registration(ctx: Context) -> bool:
    """A plain message that reads like a report gets one short offer to register it.

    Not for replies to the bot, not where staff switched it off, and never twice to the
    same member within ten minutes.
    """
    event = ctx.event
    text = event.text.strip()
    if not text or event.reply_to_bot:
        return False
    if not ctx.chat.passive_reports:
        return False
    result = parse(text)
    if not result.is_report:
        return False
    if tickets_repo.offered_since(ctx.session, member_id=ctx.member.id, since=ctx.now - OFFER_COOLDOWN):
        return False
    offer_id = tickets_repo.add_offer(ctx.session, member_id=ctx.member.id, chat_id=ctx.chat.id, text=text,
                                      now=ctx.now)
    lines = []
    if result.urgency == "urgent":
        hint = safety_hint(text, result.category)
        if hint:
            lines.append(f"⚠️ {hint}")
    same = _same_for_offer(ctx, text, result)
    if same is not None:
        lines.append(f"是否与 #{same.number} 相同？{excerpt(same.text, 20)}（{same.status.label}）")
        choices = (Choice(f"相同，附议 #{same.number}", f"tickets.support:{same.number}"),
                   Choice("不同，登记新报事", f"tickets.register:{offer_id}"))
    else:
        lines.append("这件事要登记为报事吗？登记后网格长会跟进。")
        choices = (Choice("登记", f"tickets.register:{offer_id}"),)
    reply(ctx, "\n".join(lines), choices=choices)
    return True


def _same_for_offer(ctx: Context, text: str, result) -> Ticket | None:
    building, _, _ = _place(ctx, result.building, None, None)
    if building is None:
        return None
    candidates = tickets_repo.open_tickets_like(ctx.session, community_id=ctx.community.id,
                                                category=result.category, building_id=building.id)
    return most_similar(text, candidates)


@router.action("tickets.register")
def register_offered(ctx: Context, offer_id: str) -> None:
    """登记 pressed under an offer: the offered message becomes a ticket, once."""
    number = record_number(offer_id)
    offer = ctx.session.get(TicketOffer, number) if number is not None else None
    if offer is None or offer.chat_id != ctx.chat.id:
        raise UserError(STALE)
    if offer.member_id != ctx.member.id:
        raise Forbidden("只有发这条消息的本人可以登记它；您也可以发送 #报事 登记您看到的问题。")
    if offer.ticket_id is not None:
        raise UserError(f"这条消息已经登记为 #{ctx.session.get(Ticket, offer.ticket_id).number} 了。")
    ticket = register(ctx, offer.text, anonymous=False, images=offer.images, look_for_same=False)
    offer.ticket_id = ticket.id
    ctx.session.add(offer)


@router.command(
    "自动登记",
    aliases=("autoreport",),
    summary="开关本群的自动登记提示（像报事的消息，问一句要不要登记）",
    usage="#自动登记 开 或 #自动登记 关",
    example="#自动登记 关",
    roles=STAFF,
)
def passive_switch(ctx: Context) -> None:
    """Switch the passive registration offers of this chat on or off."""
    on = {"开": True, "开启": True, "打开": True, "on": True, "关": False, "关闭": False, "off": False}.get(
        ctx.args.strip().lower()
    )
    if on is None:
        raise UsageError(f"本群的自动登记提示现在是{'开' if ctx.chat.passive_reports else '关'}着的。请写“开”或“关”。")
    tickets_repo.set_passive_reports(ctx.session, chat_id=ctx.chat.id, on=on)
    ctx.chat_settings_changed()
    if on:
        ctx.reply("已开启本群的自动登记提示：像是报事的消息，我会问一句要不要登记。")
    else:
        ctx.reply("已关闭本群的自动登记提示。大家仍可发送 #报事 登记问题。")
