"""Deadlines and turnout: the close on the scheduler, nudges before it, #投票结果 and #未投票."""
from __future__ import annotations

from pathlib import Path

from bot.context import Context
from bot.errors import NotFound, UserError
from bot.router import LEADERS
from handlers.polls import render
from handlers.polls.feature import router
from handlers.polls.scope import poll_scope
from handlers.polls.tally import count
from handlers.polls.voting import poll_by_number
from storage.models import Building, ChatKind, Member, Poll, Role
from storage.repo import community as community_repo
from storage.repo import polls as polls_repo


@router.task("poll-close")
def close_at_deadline(ctx: Context, poll_id: int) -> None:
    """Close the poll (waiting for votes being written right now) and announce the result everywhere."""
    poll = polls_repo.lock_poll(ctx.session, poll_id=poll_id)
    if poll is None or poll.status != "open":
        return
    poll.status, poll.closed_at = "closed", ctx.now
    ctx.session.add(poll)
    ctx.session.flush()
    tally = count(ctx.session, poll)
    if tally.decision is not None:
        poll.outcome = "passed" if tally.decision.passed else "failed"
        ctx.session.add(poll)
    text = render.results_text(tally, final=True, scope=poll_scope(ctx.session, poll))
    if ctx.late:
        # The bot was stopped across the deadline: say the result comes after it, not at it.
        text += f"\n（补发：本投票已于 {render.when(poll.deadline, ctx.settings.tz)} 截止，系统恢复后公布结果）"
    if poll.outcome == "passed":
        text += f"\n需要每户出资的，负责人可发“#收费 {poll.id} 每户50元”登记收费。"
    image = render.chart(tally, chart_dir(ctx))
    for chat in polls_repo.poll_chats(ctx.session, poll_id=poll.id):
        ctx.send(chat, text, image=image, tag=f"poll:{poll.id}")


@router.task("poll-nudge")
def nudge(ctx: Context, poll_id: int, hours: int) -> None:
    """Post turnout per building and @mention the leaders of buildings below the average."""
    poll = ctx.session.get(Poll, poll_id)
    if poll is None or poll.status != "open":
        return
    tally = count(ctx.session, poll)
    if not tally.households_eligible or tally.households_voted == tally.households_eligible:
        return
    below = [t.building for t in tally.buildings if t.eligible and t.rate < tally.rate]
    lines = [
        f"{render.title(poll)}",
        f"还有 {hours} 小时截止（{render.when(poll.deadline, ctx.settings.tz)}），"
        f"已参与 {tally.households_voted}/{tally.households_eligible} 户（{render.percent(tally.rate)}）：",
        *render.building_lines(tally, mark_below=True),
    ]
    base = "\n".join(lines)
    for chat in polls_repo.poll_chats(ctx.session, poll_id=poll.id):
        concerned = [b for b in below if chat.building_id in (None, b.id)]
        leaders = tuple(m.id for b in concerned for m in nearest_leaders(ctx, b))
        text = base
        if leaders:
            text += "\n↓ 低于平均，请楼栋长提醒还没投票的邻居（#未投票 %d 可在骨干群查看名单）" % poll.id
        ctx.send(chat, text, mentions=leaders, tag=f"poll:{poll.id}")


def nearest_leaders(ctx: Context, building: Building) -> list[Member]:
    """The building's leaders; the grid leader where the building has none."""
    leaders = [m for m in community_repo.leaders_of_building(ctx.session, building=building) if m.role != Role.staff]
    return [m for m in leaders if m.role == leaders[0].role] if leaders else []


@router.command(
    "投票结果", aliases=("pollresult",),
    summary="查看投票的结果或目前的票数",
    usage="#投票结果 [投票编号]",
    example="#投票结果 7",
)
def results(ctx: Context) -> None:
    """Show a poll's result, or its count so far unless results are hidden until the deadline."""
    poll = poll_by_number(ctx, ctx.argv[0]) if ctx.argv else _newest_here(ctx)
    tally = count(ctx.session, poll)
    scope = poll_scope(ctx.session, poll)
    if poll.status == "open" and poll.hide_results:
        ctx.reply(f"{render.title(poll)}\n结果在 {render.when(poll.deadline, ctx.settings.tz)} 截止后公布。\n"
                  + render.turnout_line(tally, scope))
        return
    image = None
    if poll.status == "closed":
        path = chart_dir(ctx) / f"poll-{poll.id}.png"
        image = str(path) if path.exists() else render.chart(tally, chart_dir(ctx))
    ctx.reply(render.results_text(tally, final=poll.status == "closed", scope=scope), image=image)


@router.command(
    "未投票", aliases=("notvoted",), roles=LEADERS,
    summary="查看您负责的楼栋里还没投票的户（只在骨干群显示）",
    usage="#未投票 [投票编号]",
    example="#未投票 7",
)
def not_voted(ctx: Context) -> None:
    """The households in the sender's buildings that have not voted, told only in the leaders' chat."""
    poll = poll_by_number(ctx, ctx.argv[0]) if ctx.argv else _newest_open(ctx)
    tally = count(ctx.session, poll)
    mine = [t for t in tally.buildings if community_repo.may_manage_building(ctx.member, t.building)]
    if not mine:
        raise UserError(f"{render.title(poll)} 的范围里没有您负责的楼栋。")
    lines = [f"{render.title(poll)} 还没投票的户（截止 {render.when(poll.deadline, ctx.settings.tz)}）："]
    for t in mine:
        codes = [h.code for h in tally.not_voted if h.building_id == t.building.id]
        lines.append(f"{t.building.number}栋 {len(codes)}/{t.eligible} 户未投：{'、'.join(codes) if codes else '全部投完了'}")
        missing = [h.code for h in tally.no_area if h.building_id == t.building.id]
        if missing:
            lines.append(f"  （无面积、不能参加：{'、'.join(missing)}）")
    text = "\n".join(lines)
    if ctx.chat.kind == ChatKind.leaders:
        ctx.reply(text)
        return
    leaders_chats = community_repo.chats_of_kind(ctx.session, community_id=ctx.community.id, kind=ChatKind.leaders)
    if not leaders_chats:
        raise UserError("未投票名单不在居民群里公布，请在骨干群里发 #未投票。")
    ctx.send(leaders_chats[0], text, mentions=(ctx.member.id,), broadcast=False)
    ctx.reply(f"未投票名单不在居民群公布，已发到{leaders_chats[0].name}。")


def chart_dir(ctx: Context) -> Path:
    return Path(ctx.settings.data_dir) / "charts"


def _newest_here(ctx: Context) -> Poll:
    chat_polls = polls_repo.open_polls_in_chat(ctx.session, chat_id=ctx.chat.id)
    if chat_polls:
        return chat_polls[0]
    raise NotFound("本群现在没有进行中的投票，请写编号，如 #投票结果 7。")


def _newest_open(ctx: Context) -> Poll:
    mine = [p for p in polls_repo.open_polls(ctx.session, community_id=ctx.community.id)
            if any(community_repo.may_manage_building(ctx.member, b)
                   for b in polls_repo.scope_buildings(ctx.session, poll_id=p.id))]
    if not mine:
        raise NotFound("您负责的楼栋现在没有进行中的投票。")
    return mine[-1]

