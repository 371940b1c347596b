"""Who may send reminders to which chats, and the chats a 发到 clause names."""
from __future__ import annotations

from bot.commands import normalize
from bot.context import Context
from bot.errors import Forbidden, NotFound, UsageError
from storage.models import Building, Chat, ChatKind, Member, Reminder, Role
from storage.repo import community as community_repo
from storage.repo import reminders as repo

from .request import ALL_NAMES, BUILDING_NAME, HERE_NAMES, SELF_NAMES

EXAMPLE = "例如：#提醒 每周六早上8点 卫生大扫除 发到 3栋群 5栋群"


def may_remind(session, member: Member, chat: Chat) -> bool:
    """Staff anywhere; grid and building leaders in the chats of their grid or building;
    any leader in the leaders' chat. The community-wide and compound chats are staff's."""
    if chat.community_id != member.community_id or member.role == Role.resident:
        return False
    if member.role == Role.staff or chat.kind == ChatKind.leaders:
        return True
    if chat.building_id is not None:
        return community_repo.may_manage_building(member, session.get(Building, chat.building_id))
    if chat.grid_id is not None:
        return member.role == Role.grid_leader and member.grid_id == chat.grid_id
    return False


def may_manage(session, member: Member, reminder: Reminder) -> bool:
    """The creator, or a leader who may remind every chat the reminder goes to."""
    if reminder.creator_id == member.id:
        return True
    targets = repo.target_chats(session, reminder_id=reminder.id)
    return bool(targets) and all(may_remind(session, member, chat) for chat in targets)


def residents_chats(session, member: Member) -> list[Chat]:
    """全体群: every residents' chat (not the leaders' chat) the member may remind."""
    return [
        chat for chat in community_repo.chats_of_community(session, community_id=member.community_id)
        if chat.kind != ChatKind.leaders and may_remind(session, member, chat)
    ]


def resolve_targets(ctx: Context, names: tuple[str, ...]) -> tuple[list[Chat], bool]:
    """The chats to send to and whether the reminder is personal (@ the sender in this chat)."""
    session, member, here = ctx.session, ctx.member, ctx.chat
    if ctx.role == Role.resident or (names and set(names) <= SELF_NAMES):
        if names and not set(names) <= SELF_NAMES:
            raise Forbidden("只有社区工作者、网格长和楼栋长可以把提醒发到各个群；居民设的提醒只提醒自己，"
                            "到时在本群@您。例如：#提醒 明天上午9点 去社区医院量血压")
        return [here], True
    if set(names) & SELF_NAMES:
        raise UsageError("“发到 我”只提醒您自己，不能和其他群一起写。")
    chats: dict[int, Chat] = {}
    for name in names or ("本群",):
        for chat in _chats_named(session, member, here, name):
            chats.setdefault(chat.id, chat)
    for chat in chats.values():
        if not may_remind(session, member, chat):
            raise Forbidden(f"您不能给{chat.name}设提醒：只有负责该群的楼栋长、网格长或社区工作者可以。"
                            f"要提醒自己，请在后面加“发到 我”。{EXAMPLE}")
    return sorted(chats.values(), key=lambda c: c.id), False


def _chats_named(session, member: Member, here: Chat, name: str) -> list[Chat]:
    if name in HERE_NAMES:
        return [here]
    if name in ALL_NAMES:
        chats = residents_chats(session, member)
        if not chats:
            raise Forbidden("您负责的范围内没有居民群。")
        return chats
    community_chats = community_repo.chats_of_community(session, community_id=member.community_id)
    found = [c for c in community_chats if c.name == name or c.key.lower() == name.lower()]
    building = BUILDING_NAME.match(normalize(name))
    if not found and building:
        number = building.group(1).upper()
        found = [c for c in community_chats if c.building_id is not None
                 and session.get(Building, c.building_id).number == number]
    if not found:
        raise NotFound(f"没有叫“{name}”的群。请写群名（如 {here.name}）、全体群 或 本群。{EXAMPLE}")
    return found
