"""Residents' proposals: #提议 collects household supports (#支持); enough of them put it before staff."""
from __future__ import annotations

from bot.commands import normalize, record_number
from bot.context import Context
from bot.errors import Forbidden, NotFound, UsageError, UserError
from bot.events import Choice
from bot.router import GRID_AND_STAFF
from handlers.polls.create import publish, read_deadline
from handlers.polls.feature import config, router
from handlers.polls.scope import chat_buildings, resolve_scope
from handlers.polls.syntax import MAX_QUESTION, PollSpec
from storage.models import Chat, ChatKind, Household, PollKind, Proposal
from storage.repo import community as community_repo
from storage.repo import polls as polls_repo

PROPOSAL_OPTIONS = ["同意", "反对"]


@router.command(
    "提议", aliases=("propose",),
    summary="提出议题，够多户支持后由社区转为投票",
    usage="#提议 内容",
    example="#提议 在3栋门口加装晾衣架",
)
def propose(ctx: Context) -> None:
    """Record a proposal; the proposer's own household supports it."""
    text = ctx.args.strip()
    if not text:
        raise UsageError("请写上提议的内容。")
    if len(text) > MAX_QUESTION:
        raise UsageError(f"提议请控制在 {MAX_QUESTION} 字以内。")
    proposal = Proposal(community_id=ctx.community.id, text=text, member_id=ctx.member.id, chat_id=ctx.chat.id,
                        created_at=ctx.now)
    ctx.session.add(proposal)
    ctx.session.flush()
    household = _household_inside(ctx, proposal)
    if household is not None:
        polls_repo.add_support(ctx.session, proposal_id=proposal.id, household_id=household.id,
                               member_id=ctx.member.id, now=ctx.now)
    supports = polls_repo.support_count(ctx.session, proposal_id=proposal.id)
    need = config(ctx).proposal_supports
    ctx.reply(f"已收到提议 #{proposal.id}：{text}\n赞成的住户请发“#支持 {proposal.id}”（每户一次），"
              f"满 {need} 户后提交社区转为投票。目前 {supports}/{need} 户。")
    _offer_when_ready(ctx, proposal, supports)


@router.command(
    "支持", summary="支持一条提议（每户一次）",
    usage="#支持 提议编号",
    example="#支持 5",
)
def support(ctx: Context) -> None:
    """Count the sender's household once in favour of a proposal."""
    proposal = _proposal(ctx)
    if proposal.status == "polled":
        raise UserError(f"提议 #{proposal.id} 已经转为投票了，请直接去投票。")
    if ctx.member.household_id is None:
        raise Forbidden("支持提议按户计算，请先发“#绑定 门牌”（如 #绑定 3-2-301）登记您家。")
    household = _household_inside(ctx, proposal)
    if household is None:
        raise Forbidden(f"提议 #{proposal.id} 是{_origin(ctx, proposal).name}的议题，只有本范围的住户可以支持。")
    if not polls_repo.add_support(ctx.session, proposal_id=proposal.id, household_id=household.id,
                                  member_id=ctx.member.id, now=ctx.now):
        raise UserError(f"{household.code} 户已经支持过提议 #{proposal.id} 了，每户一次。")
    supports = polls_repo.support_count(ctx.session, proposal_id=proposal.id)
    ctx.reply(f"已记下 {household.code} 户支持提议 #{proposal.id}（{supports}/{config(ctx).proposal_supports} 户）。")
    _offer_when_ready(ctx, proposal, supports)


@router.command(
    "转投票", roles=GRID_AND_STAFF,
    summary="把够支持的提议转为户投票（同意/反对）",
    usage="#转投票 提议编号 [截止 时间]",
    example="#转投票 5 截止 周五18:00",
)
def to_poll(ctx: Context) -> None:
    """Turn a proposal into a household poll posted where it was proposed."""
    proposal = _proposal(ctx)
    rest = normalize(ctx.args).split(maxsplit=1)
    deadline = rest[1].strip() if len(rest) > 1 else None
    if deadline and deadline.startswith(("截止", "截至")):
        deadline = deadline[2:].lstrip(":： ") or None
    _convert(ctx, proposal, deadline)


@router.action("poll.from_proposal")
def to_poll_choice(ctx: Context, proposal_id: str) -> None:
    """The 转为户投票 choice offered to staff."""
    if ctx.role not in GRID_AND_STAFF:
        raise Forbidden("只有网格长和社区工作者可以把提议转为投票。")
    number = record_number(proposal_id)
    proposal = polls_repo.proposal_in(ctx.session, community_id=ctx.community.id,
                                      proposal_id=number) if number is not None else None
    if proposal is None:
        raise UserError("这个选项已经失效了。")
    _convert(ctx, proposal, None)


def _convert(ctx: Context, proposal: Proposal, deadline_text: str | None) -> None:
    if proposal.status == "polled":
        raise UserError(f"提议 #{proposal.id} 已经转为投票了。")
    spec = PollSpec(question=proposal.text, options=list(PROPOSAL_OPTIONS), deadline=deadline_text)
    deadline, defaulted = read_deadline(ctx, deadline_text)
    scope = resolve_scope(ctx, spec, _origin(ctx, proposal))
    publish(ctx, kind=PollKind.household, spec=spec, deadline=deadline, scope=scope,
                   deadline_defaulted=defaulted, proposal_id=proposal.id)
    proposal.status = "polled"
    ctx.session.add(proposal)


def _offer_when_ready(ctx: Context, proposal: Proposal, supports: int) -> None:
    """Once enough households support it, ask staff (in the leaders' chat) to turn it into a poll."""
    need = config(ctx).proposal_supports
    if proposal.status != "open" or supports < need:
        return
    proposal.status, proposal.offered_at = "offered", ctx.now
    ctx.session.add(proposal)
    origin = _origin(ctx, proposal)
    staff = tuple(m.id for m in polls_repo.staff_of(ctx.session, community_id=ctx.community.id))
    text = (f"提议 #{proposal.id} 已有 {supports} 户支持（{origin.name}）：{proposal.text}\n"
            f"可转为户投票（同意/反对，默认 {config(ctx).default_days} 天后截止），"
            f"或发“#转投票 {proposal.id} 截止 周五18:00”自定截止时间。")
    choice = (Choice("转为户投票", f"poll.from_proposal:{proposal.id}"),)
    leaders = community_repo.chats_of_kind(ctx.session, community_id=ctx.community.id, kind=ChatKind.leaders)
    target = leaders[0] if leaders else ctx.chat
    ctx.send(target, text, mentions=staff, choices=choice, broadcast=False)
    if target.id != ctx.chat.id:
        ctx.reply(f"提议 #{proposal.id} 已有 {supports} 户支持，已提交社区工作人员转为投票。")


def _proposal(ctx: Context) -> Proposal:
    argv = ctx.argv
    if not argv:
        raise UsageError("请写明提议编号。")
    number = argv[0].lstrip("#")
    if not number.isdigit() or len(number) > 9:
        raise UsageError(f"“{argv[0]}”不是提议编号。")
    proposal = polls_repo.proposal_in(ctx.session, community_id=ctx.community.id, proposal_id=int(number))
    if proposal is None:
        raise NotFound(f"没有编号为 {number} 的提议。")
    return proposal


def _origin(ctx: Context, proposal: Proposal) -> Chat:
    return ctx.session.get(Chat, proposal.chat_id)


def _household_inside(ctx: Context, proposal: Proposal) -> Household | None:
    """The sender's household if it lies in the proposal's chat's buildings."""
    if ctx.member.household_id is None:
        return None
    household = ctx.session.get(Household, ctx.member.household_id)
    inside = {b.id for b in chat_buildings(ctx.session, _origin(ctx, proposal))}
    return household if household.building_id in inside else None

