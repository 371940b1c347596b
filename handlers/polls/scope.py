"""Who may vote in a poll (its buildings) and where it is posted (its chats).

Without ``范围`` the poll covers the chat it was written in: a building chat its building,
a grid chat its grid, the community chat (or the leaders' chat) every building, and it is
posted only there (from the leaders' chat: to the community chat). ``范围 3栋 5栋`` limits
the voters to those buildings and posts to the community chat and their chats at once;
``全体群`` posts to every residents' chat. Every copy counts into the same tally.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlmodel import Session, select

from bot.context import Context
from bot.errors import Forbidden, UsageError
from handlers.polls.syntax import PollSpec
from storage.models import Building, Chat, ChatKind, Compound, Grid, Role
from storage.repo import community as community_repo

_SEPARATORS = re.compile(r"[、,，;；和及]")
_BUILDING = re.compile(r"^([0-9A-Za-z]{1,8})(?:栋|幢|号楼|楼|座|号)?$")


@dataclass
class Scope:
    """The buildings whose households may vote and the chats the poll goes to."""

    buildings: list[Building]
    chats: list[Chat]


def resolve_scope(ctx: Context, spec: PollSpec, origin: Chat) -> Scope:
    """Read the spec's scope against the roster and check the creator may cover it."""
    session, community_id = ctx.session, ctx.community.id
    everything = _buildings(session, community_id)
    all_chats = community_repo.chats_of_community(session, community_id=community_id)
    residents_chats = [c for c in all_chats if c.kind != ChatKind.leaders]
    if spec.scope:
        buildings, named_chats = _named(session, community_id, spec.scope, everything, all_chats)
        chats = [c for c in residents_chats if c.kind == ChatKind.community or c in named_chats or c.id == origin.id]
    else:
        buildings = chat_buildings(session, origin, everything)
        chats = [origin] if origin.kind != ChatKind.leaders else [
            c for c in residents_chats if c.kind == ChatKind.community
        ]
    if spec.everyone:
        chats = residents_chats
    if not buildings:
        raise UsageError("投票范围里没有楼栋，请用“范围 3栋 5栋”写明。")
    if not chats:
        raise UsageError("没有可以发布这个投票的居民群，请在居民群里发起，或用“范围”“全体群”指定。")
    check_may_cover(ctx, buildings, everything)
    return Scope(buildings, chats)


def chat_buildings(session: Session, chat: Chat, everything: list[Building] | None = None) -> list[Building]:
    """The buildings a chat speaks for: its building, grid or compound; all for the community chat."""
    everything = everything if everything is not None else _buildings(session, chat.community_id)
    return community_repo.chat_buildings(chat, everything)


def check_may_cover(ctx: Context, buildings: list[Building], everything: list[Building]) -> None:
    """Staff cover everything, grid leaders their grid, building leaders their own building."""
    outside = [b for b in buildings if not community_repo.may_manage_building(ctx.member, b)]
    if not outside:
        return
    names = "、".join(f"{b.number}栋" for b in outside[:5])
    if ctx.role == Role.building_leader:
        own = next((b for b in everything if b.id == ctx.member.building_id), None)
        hint = f"请在本楼群里发起，或写“范围 {own.number}栋”。" if own else ""
        raise Forbidden(f"楼栋长只能对自己的楼栋发起投票，{names}不在您负责的范围内。{hint}")
    if ctx.role == Role.grid_leader:
        raise Forbidden(f"网格长只能对本网格的楼栋发起投票，{names}不在您的网格内。请用“范围”写明本网格的楼栋。")
    raise Forbidden("只有楼栋长、网格长和社区工作者可以发起投票；居民可以发 #提议 内容，够多户支持后转为投票。")


def describe(buildings: list[Building], everything: list[Building]) -> str:
    """全社区, or the building numbers (3栋、5栋)."""
    if {b.id for b in buildings} == {b.id for b in everything}:
        return "全社区"
    return "、".join(f"{b.number}栋" for b in buildings)


def poll_scope(session: Session, poll) -> str:
    """全社区 or 3栋、5栋 for a stored poll."""
    from storage.repo import polls as polls_repo

    return describe(polls_repo.scope_buildings(session, poll_id=poll.id), _buildings(session, poll.community_id))


def all_buildings(session: Session, community_id: int) -> list[Building]:
    return _buildings(session, community_id)


def _buildings(session: Session, community_id: int) -> list[Building]:
    return community_repo.buildings(session, community_id=community_id)


def _named(session: Session, community_id: int, words: list[str], everything: list[Building],
           all_chats: list[Chat]) -> tuple[list[Building], list[Chat]]:
    """Buildings and chats named after 范围: building numbers, grid or compound names or keys."""
    chosen: dict[int, Building] = {}
    chats: list[Chat] = []
    grids = list(session.exec(select(Grid).where(Grid.community_id == community_id)))
    compounds = list(session.exec(select(Compound).where(Compound.community_id == community_id)))
    for word in (w for token in words for w in _SEPARATORS.split(unicodedata.normalize("NFKC", token)) if w):
        match = _BUILDING.match(word)
        number = match.group(1).upper() if match else None
        found = [b for b in everything if number is not None and b.number.upper() == number]
        if not found:
            grid = next((g for g in grids if word in (g.name, g.key)), None)
            compound = next((c for c in compounds if word in (c.name, c.key)), None)
            if grid is not None:
                found = [b for b in everything if b.grid_id == grid.id]
                chats += [c for c in all_chats if c.grid_id == grid.id]
            elif compound is not None:
                found = [b for b in everything if b.compound_id == compound.id]
                chats += [c for c in all_chats if c.compound_id == compound.id]
            else:
                raise UsageError(f"范围里的“{word}”不是本社区的楼栋或网格。范围请写楼栋号（如 3栋 5栋）或网格名。")
        chosen.update((b.id, b) for b in found)
    chats += [c for c in all_chats if c.building_id in chosen]
    return sorted(chosen.values(), key=lambda b: b.id), chats
