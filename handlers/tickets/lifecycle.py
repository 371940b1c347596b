"""The lifecycle: 受理 → 指派 / 进展 → 办结 → 评价, plus 驳回, 重复 and 未解决.

Leaders' actions need the grid leader of the ticket's grid or staff; rating and reopening
belong to the reporter. Every change is a history line, and the reporter and supporters
hear of it in the chats they reported or supported from.
"""
from __future__ import annotations

import re

from bot.commands import normalize
from bot.context import Context
from bot.errors import Forbidden, UsageError, UserError
from bot.events import Choice
from bot.router import GRID_AND_STAFF
from storage.models import Ticket, TicketStatus
from storage.repo import tickets as tickets_repo

from handlers.tickets.audience import handlers_of, may_handle, reply, tell_followers, tell_leaders, who_may_handle
from handlers.tickets.feature import router
from handlers.tickets.supports import carry_over
from handlers.tickets.view import find, headline, read_number, rest_of_args, ticket_from_args

S = TicketStatus
ALLOWED = {
    "accept": {S.pending, S.reopened},
    "assign": {S.accepted, S.in_progress, S.reopened},
    "progress": {S.accepted, S.in_progress, S.reopened},
    "resolve": {S.accepted, S.in_progress, S.reopened},
    "reject": {S.pending, S.accepted, S.in_progress, S.reopened},
    "rate": {S.resolved},
    "reopen": {S.resolved, S.rated},
    "merge": {S.pending, S.accepted, S.in_progress, S.reopened},
}
VERBS = {
    "accept": "受理", "assign": "指派", "progress": "更新进展", "resolve": "办结", "reject": "驳回",
    "rate": "评价", "reopen": "重新打开", "merge": "合并",
}
RATING_LABELS = {1: "很不满意", 2: "不满意", 3: "一般", 4: "满意", 5: "非常满意"}
MENTION = re.compile(r"[@＠]\S+")


def require_state(ticket: Ticket, action: str) -> None:
    """Refuse an action the ticket's state does not allow, saying what would help."""
    if ticket.status in ALLOWED[action]:
        return
    n = ticket.number
    if ticket.status == S.pending and action in ("assign", "progress", "resolve"):
        raise UserError(f"#{n} 还没有受理，请先发送 #受理 {n}。")
    if action == "rate" and ticket.status == S.rated:
        raise UserError(f"#{n} 已经评价过了（{ticket.rating} 分）。")
    if action == "rate":
        raise UserError(f"#{n} 现在是「{ticket.status.label}」，办结后才能评价。")
    raise UserError(f"#{n} 现在是「{ticket.status.label}」，不能{VERBS[action]}。")


def require_handler(ctx: Context, ticket: Ticket, action: str) -> None:
    if not may_handle(ctx.member, ticket):
        raise Forbidden(f"只有{who_may_handle(ctx, ticket)}可以{VERBS[action]} #{ticket.number}。")


def require_reporter(ctx: Context, ticket: Ticket, action: str) -> None:
    if ctx.member.id != ticket.reporter_id:
        raise Forbidden(f"只有报事人可以{VERBS[action]} #{ticket.number}。")


def _number(text: str) -> int:
    number = read_number(text)
    if number is None:
        raise UserError("这个选项已经失效了。")
    return number


# -- accept ------------------------------------------------------------------------------

@router.command("受理", aliases=("accept",), summary="受理一件报事", usage="#受理 工单编号", example="#受理 27",
                roles=GRID_AND_STAFF)
def accept_command(ctx: Context) -> None:
    accept(ctx, ticket_from_args(ctx))


@router.action("tickets.accept")
def accept_button(ctx: Context, number: str) -> None:
    accept(ctx, find(ctx, _number(number)))


def accept(ctx: Context, ticket: Ticket) -> None:
    require_handler(ctx, ticket, "accept")
    require_state(ticket, "accept")
    first_time = ticket.status == S.pending
    tickets_repo.record(ctx.session, ticket, actor_id=ctx.member.id, action="accept", now=ctx.now,
                        to_status=S.accepted)
    if first_time:
        ctx.emit("ticket.accepted", ticket_id=ticket.id, reporter_id=ticket.reporter_id, by_id=ctx.member.id)
    who = ctx.member.display_name
    covered = tell_followers(ctx, ticket, lambda chat: f"{headline(ctx.session, ticket)}\n{who}已受理，会尽快安排处理。")
    if not covered:
        council = ctx.config("tickets").council_for(ticket.category)
        options = f"#指派 {ticket.number} @某人" + (f" 或 #指派 {ticket.number} {council}" if council else "")
        reply(ctx, f"已受理 #{ticket.number}，已告诉报事人。下一步：{options}；办好后 #办结 {ticket.number} 说明。",
              tag=f"ticket:{ticket.number}")


# -- assign and progress ------------------------------------------------------------------

@router.command("指派", aliases=("assign",), summary="把报事交给一个人或一个理事会处理",
                usage="#指派 工单编号 @某人 或 #指派 工单编号 理事会名", example="#指派 27 环境治理理事会",
                roles=GRID_AND_STAFF)
def assign(ctx: Context) -> None:
    ticket = ticket_from_args(ctx)
    require_handler(ctx, ticket, "assign")
    require_state(ticket, "assign")
    rest = rest_of_args(ctx)
    people = ctx.mentioned_members()
    config = ctx.config("tickets")
    if people:
        assignee, council = people[0], None
        name, note = assignee.display_name, MENTION.sub("", rest).strip()
    else:
        if MENTION.match(rest):
            raise UsageError("没找到您 @ 的人，请在群里直接 @ 对方。")
        word, *note = rest.split(maxsplit=1) or [""]
        council = config.find_council(word)
        if council is None:
            raise UsageError(f"请 @ 要指派的人，或写理事会的名字：{'、'.join(config.councils)}。")
        assignee, name, note = None, council, note[0].strip() if note else ""
    ticket.assignee_id = assignee.id if assignee else None
    ticket.council = council
    ticket.assigned_chat_id = ctx.chat.id
    tickets_repo.record(ctx.session, ticket, actor_id=ctx.member.id, action="assign", now=ctx.now,
                        to_status=S.in_progress, note=f"指派给{name}" + (f"：{note}" if note else ""))
    tell_followers(ctx, ticket, lambda chat: f"{headline(ctx.session, ticket)}\n已交给{name}处理。")
    n = ticket.number
    if assignee is None:
        reply(ctx, f"已把 #{n} 指派给{name}。", tag=f"ticket:{n}")
        return
    ask = f"请处理 {headline(ctx.session, ticket)}" + (f"\n说明：{note}" if note else "")
    reply(ctx, f"{ask}\n有进展请发送 #进展 {n} 说明；办好后告诉网格长。", mentions=(assignee.id,), tag=f"ticket:{n}")


@router.command("进展", aliases=("progress",), summary="记录报事的处理进展，报事人会收到",
                usage="#进展 工单编号 进展说明", example="#进展 27 已联系电工，明天上午来换灯")
def progress(ctx: Context) -> None:
    ticket = ticket_from_args(ctx)
    if not (may_handle(ctx.member, ticket) or ctx.member.id == ticket.assignee_id):
        raise Forbidden(f"只有{who_may_handle(ctx, ticket)}，或被指派处理的人，可以更新 #{ticket.number} 的进展。")
    note = rest_of_args(ctx)
    if not note:
        raise UsageError("请写明进展。")
    require_state(ticket, "progress")
    tickets_repo.record(ctx.session, ticket, actor_id=ctx.member.id, action="progress", now=ctx.now,
                        to_status=S.in_progress, note=note)
    who = ctx.member.display_name
    covered = tell_followers(ctx, ticket, lambda chat: f"#{ticket.number} 有新进展（{who}）：{note}")
    if not covered:
        reply(ctx, f"已记录 #{ticket.number} 的进展，已告诉报事人。", tag=f"ticket:{ticket.number}")


# -- resolve, reject ------------------------------------------------------------------------

@router.command("办结", aliases=("resolve",), summary="办结报事并说明结果，报事人来评价",
                usage="#办结 工单编号 办理结果", example="#办结 27 已更换声控灯", roles=GRID_AND_STAFF)
def resolve(ctx: Context) -> None:
    ticket, note = _close(ctx, "resolve", S.resolved, missing="请写明办理结果，例如：已更换灯泡。")
    n = ticket.number

    def compose(chat) -> str:
        text = f"{headline(ctx.session, ticket)}\n已办结：{note}"
        if chat.id == ticket.chat_id:
            text += "\n请报事人评价：问题解决了吗？"
        return text

    choices = tuple(Choice(f"{s}分 {label}", f"tickets.rate:{n}:{s}") for s, label in RATING_LABELS.items())
    covered = tell_followers(ctx, ticket, compose, reporter_choices=(*choices, Choice("没解决", f"tickets.reopen:{n}")))
    if not covered:
        reply(ctx, f"已办结 #{n}，已请报事人评价。", tag=f"ticket:{n}")


@router.command("驳回", aliases=("reject",), summary="不予受理并说明原因，报事人会看到",
                usage="#驳回 工单编号 原因", example="#驳回 27 属于业主家中设施，请联系物业有偿维修",
                roles=GRID_AND_STAFF)
def reject_command(ctx: Context) -> None:
    ticket, reason = _close(ctx, "reject", S.rejected, missing="请写明驳回的原因，报事人会看到。")
    covered = tell_followers(
        ctx, ticket, lambda chat: f"{headline(ctx.session, ticket)}\n未予受理。原因：{reason}\n如有疑问，请联系网格长。"
    )
    if not covered:
        reply(ctx, f"已驳回 #{ticket.number}，已把原因告诉报事人。", tag=f"ticket:{ticket.number}")


def _close(ctx: Context, action: str, status: TicketStatus, *, missing: str) -> tuple[Ticket, str]:
    """#办结 and #驳回: a handler's permission, a note the reporter will read, an allowed state, a history line."""
    ticket = ticket_from_args(ctx)
    require_handler(ctx, ticket, action)
    note = rest_of_args(ctx)
    if not note:
        raise UsageError(missing)
    require_state(ticket, action)
    tickets_repo.record(ctx.session, ticket, actor_id=ctx.member.id, action=action, now=ctx.now,
                        to_status=status, note=note)
    return ticket, note


@router.action("tickets.reject")
def reject_button(ctx: Context, number: str) -> None:
    """驳回 needs a reason the reporter will read, so the button asks for it."""
    ticket = find(ctx, _number(number))
    require_handler(ctx, ticket, "reject")
    require_state(ticket, "reject")
    reply(ctx, f"请发送 #驳回 {ticket.number} 原因，原因会告诉报事人。")


# -- the reporter: rate, reopen -----------------------------------------------------------

SCORES = frozenset("12345")


@router.command("评价", aliases=("rate",), summary="为办结的报事打分（1–5 分）",
                usage="#评价 工单编号 分数 [一句话]", example="#评价 27 5 灯很亮，谢谢")
def rate_command(ctx: Context) -> None:
    ticket = ticket_from_args(ctx)
    argv = ctx.argv
    if len(argv) < 2:
        raise UsageError("请写 1 到 5 分。")
    score = normalize(argv[1]).rstrip("分")
    if score not in SCORES:
        raise UsageError(f"评分要在 1 到 5 之间，您写的是“{argv[1]}”。")
    comment = ctx.args.strip().split(maxsplit=2)[2].strip() if len(argv) > 2 else ""
    rate(ctx, ticket, int(score), comment)


@router.action("tickets.rate")
def rate_button(ctx: Context, number: str, score: str) -> None:
    if score not in SCORES:
        raise UserError("这个选项已经失效了。")
    rate(ctx, find(ctx, _number(number)), int(score), "")


def rate(ctx: Context, ticket: Ticket, score: int, comment: str) -> None:
    require_reporter(ctx, ticket, "rate")
    require_state(ticket, "rate")
    ticket.rating, ticket.rated_at = score, ctx.now
    note = f"{score}分" + (f"：{comment}" if comment else "")
    tickets_repo.record(ctx.session, ticket, actor_id=ctx.member.id, action="rate", now=ctx.now,
                        to_status=S.rated, note=note)
    n = ticket.number
    if score <= 2:
        reply(ctx, f"谢谢您的评价（#{n}，{score} 分）。很抱歉没让您满意，已转告网格长。", tag=f"ticket:{n}")
        tell_leaders(ctx, ticket, lambda chat: f"#{n} 报事人评价 {note}，请回访。{headline(ctx.session, ticket)}",
                     mentions=tuple(m.id for m in handlers_of(ctx, ticket)))
    else:
        reply(ctx, f"谢谢您的评价！#{n} 得 {score} 分（{RATING_LABELS[score]}）。", tag=f"ticket:{n}")


@router.command("未解决", aliases=("reopen",), summary="办结的报事其实没解决：重新打开",
                usage="#未解决 工单编号 [说明]", example="#未解决 27 灯还是不亮")
def reopen_command(ctx: Context) -> None:
    reopen(ctx, ticket_from_args(ctx), rest_of_args(ctx))


@router.action("tickets.reopen")
def reopen_button(ctx: Context, number: str) -> None:
    reopen(ctx, find(ctx, _number(number)), "")


def reopen(ctx: Context, ticket: Ticket, note: str) -> None:
    require_reporter(ctx, ticket, "reopen")
    require_state(ticket, "reopen")
    ticket.rating = ticket.rated_at = None
    tickets_repo.record(ctx.session, ticket, actor_id=ctx.member.id, action="reopen", now=ctx.now,
                        to_status=S.reopened, note=note or None)
    n = ticket.number
    covered = tell_followers(ctx, ticket, lambda chat: f"#{n} 报事人说问题没解决，已重新打开，网格长会再跟进。")
    if not covered:
        reply(ctx, f"已重新打开 #{n}，网格长会再跟进。", tag=f"ticket:{n}")
    people = [m.id for m in handlers_of(ctx, ticket)] + ([ticket.assignee_id] if ticket.assignee_id else [])
    tell_leaders(ctx, ticket,
                 lambda chat: f"#{n} 报事人说问题没解决，已重新打开：{headline(ctx.session, ticket)}"
                              + (f"\n报事人：{note}" if note else "") + f"\n请发送 #受理 {n} 再次跟进。",
                 mentions=tuple(dict.fromkeys(people)), choices=(Choice("受理", f"tickets.accept:{n}"),))


# -- duplicates -----------------------------------------------------------------------------

@router.command("重复", aliases=("duplicate",), summary="把重复的报事并入原来那件，附议的人一并转过去",
                usage="#重复 重复的编号 原来的编号", example="#重复 28 27", roles=GRID_AND_STAFF)
def duplicate_command(ctx: Context) -> None:
    ticket = ticket_from_args(ctx)
    argv = ctx.argv
    original = read_number(argv[1]) if len(argv) > 1 else None
    if original is None:
        raise UsageError("请写明原来那件报事的编号。")
    require_handler(ctx, ticket, "merge")
    merge(ctx, ticket, find(ctx, original))


@router.action("tickets.merge")
def merge_button(ctx: Context, number: str, into: str) -> None:
    """The reporter's own "same as #27" answer, offered when the report was registered."""
    ticket = find(ctx, _number(number))
    if ctx.member.id != ticket.reporter_id:
        require_handler(ctx, ticket, "merge")
    merge(ctx, ticket, find(ctx, _number(into)))


def merge(ctx: Context, ticket: Ticket, original: Ticket) -> None:
    """Mark ``ticket`` a duplicate of ``original``; its reporter and supporters now support ``original``."""
    d, o = ticket.number, original.number
    if ticket.id == original.id:
        raise UserError(f"#{d} 不能并入它自己。")
    if original.status == S.duplicate:
        raise UserError(f"#{o} 本身已并入 #{ctx.session.get(Ticket, original.duplicate_of_id).number}，请并入那一件。")
    if not original.status.is_open:
        raise UserError(f"#{o} 已经{original.status.label}，不能再并入。")
    require_state(ticket, "merge")
    ticket.duplicate_of_id = original.id
    tickets_repo.record(ctx.session, ticket, actor_id=ctx.member.id, action="merge", now=ctx.now,
                        to_status=S.duplicate, note=f"并入 #{o}")
    added = carry_over(ctx, ticket, original)
    tickets_repo.record(ctx.session, original, actor_id=ctx.member.id, action="absorb", now=ctx.now,
                        note=f"#{d} 并入，新增附议 {added} 人", touch=False)
    count = len(tickets_repo.supports(ctx.session, ticket_id=original.id))
    covered = tell_followers(
        ctx, ticket,
        lambda chat: f"#{d} 与 #{o} 是同一件事，已并入 #{o}（共 {count} 人附议），之后的进展随 #{o} 告诉您。\n"
                     f"{headline(ctx.session, original)}",
    )
    covered = tell_leaders(ctx, ticket, lambda chat: f"#{d} 已并入 #{o}（{ctx.member.display_name}）。") or covered
    if not covered:
        reply(ctx, f"已把 #{d} 并入 #{o}。", tag=f"ticket:{o}")
