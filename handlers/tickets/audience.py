"""Who hears about a ticket, and where: reporter and supporters in their own chats, leaders in theirs.

Every text goes through ``masking.shown`` on its way out, so phone and ID-card numbers never
reach a chat other than the leaders'.
"""
from __future__ import annotations

from collections.abc import Callable

from bot.context import Context
from bot.events import Choice
from storage.models import Chat, ChatKind, Grid, Member, Role, Ticket
from storage.repo import community as community_repo
from storage.repo import tickets as tickets_repo

from handlers.tickets.masking import shown
from handlers.tickets.view import is_leaders


def post(ctx: Context, chat: Chat, text: str, *, mentions: tuple[int, ...] = (), choices: tuple[Choice, ...] = (),
         choices_for: int | None = None, urgent: bool = False, tag: str | None = None, image: str | None = None) -> None:
    """Say something in a chat: masked unless it is the leaders' chat; a broadcast when it is another chat."""
    here = ctx.chat is not None and chat.id == ctx.chat.id
    ctx.send(chat, shown(text, chat), mentions=mentions, choices=choices, choices_for=choices_for,
             urgent=urgent, broadcast=not here, tag=tag, image=image)


def reply(ctx: Context, text: str, **kwargs) -> None:
    """Answer in the chat of the event, masked as that chat requires."""
    ctx.reply(shown(text, ctx.chat), **kwargs)


def leaders_chats(ctx: Context) -> list[Chat]:
    return community_repo.chats_of_kind(ctx.session, community_id=ctx.community.id, kind=ChatKind.leaders)


def handlers_of(ctx: Context, ticket: Ticket) -> list[Member]:
    """Who is asked to act: the grid leader(s) of the ticket's grid, else staff."""
    leaders = tickets_repo.grid_leaders(ctx.session, community_id=ctx.community.id, grid_id=ticket.grid_id)
    return leaders or tickets_repo.staff(ctx.session, community_id=ctx.community.id)


def may_handle(member: Member, ticket: Ticket) -> bool:
    """Staff, or the grid leader of the ticket's grid."""
    if member.community_id != ticket.community_id:
        return False
    if member.role == Role.staff:
        return True
    return member.role == Role.grid_leader and ticket.grid_id is not None and member.grid_id == ticket.grid_id


def who_may_handle(ctx: Context, ticket: Ticket) -> str:
    """"第一网格的网格长（刘网格长）或社区工作者", for refusals."""
    leaders = tickets_repo.grid_leaders(ctx.session, community_id=ctx.community.id, grid_id=ticket.grid_id)
    if not leaders:
        return "社区工作者"
    grid = ctx.session.get(Grid, ticket.grid_id)
    return f"{grid.name}的网格长（{'、'.join(m.display_name for m in leaders)}）或社区工作者"


def tell_leaders(ctx: Context, ticket: Ticket, compose: Callable[[Chat], str], *, mentions: tuple[int, ...] = (),
                 choices: tuple[Choice, ...] = (), urgent: bool = False, image: str | None = None) -> bool:
    """Post to every leaders' chat (or, with none configured, the chat the ticket came from).

    Returns True when the chat of the event was one of them, so the caller need not answer twice.
    """
    chats = leaders_chats(ctx)
    if not chats:
        chats = [ctx.session.get(Chat, ticket.chat_id)]
    for chat in chats:
        post(ctx, chat, compose(chat), mentions=mentions, choices=choices, urgent=urgent, image=image,
             tag=f"ticket:{ticket.number}")
    return ctx.chat is not None and any(c.id == ctx.chat.id for c in chats)


def tell_followers(ctx: Context, ticket: Ticket, compose: Callable[[Chat], str], *,
                   reporter_choices: tuple[Choice, ...] = (), urgent: bool = False) -> bool:
    """Tell the reporter and the supporters, each group in the chat they reported or supported from.

    An anonymous reporter is not @mentioned outside the leaders' chat (a mention shows the
    name). ``reporter_choices`` go to the reporter's chat, answerable by the reporter only.
    Returns True when the chat of the event was among them.
    """
    groups: dict[int, list[int]] = {ticket.chat_id: [ticket.reporter_id]}
    for support in tickets_repo.supports(ctx.session, ticket_id=ticket.id):
        groups.setdefault(support.chat_id, []).append(support.member_id)
    actor = ctx.member.id if ctx.member else None
    covered = False
    for chat_id, members in groups.items():
        chat = ctx.session.get(Chat, chat_id)
        hidden = ticket.reporter_id if ticket.anonymous and not is_leaders(chat) else None
        mentions = tuple(m for m in members if m not in (actor, hidden))
        choices = reporter_choices if chat_id == ticket.chat_id else ()
        post(ctx, chat, compose(chat), mentions=mentions, choices=choices,
             choices_for=ticket.reporter_id if choices else None, urgent=urgent, tag=f"ticket:{ticket.number}")
        covered = covered or (ctx.chat is not None and chat_id == ctx.chat.id)
    return covered
