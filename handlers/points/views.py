"""What members read: #我的积分, #积分榜, #光荣榜; #积分核对 for staff; #积分隐私 for oneself."""
from __future__ import annotations

from bot.context import Context
from bot.errors import UsageError
from bot.router import STAFF
from storage.models import Member
from storage.repo import points as repo

from . import standings as st
from .feature import config, router
from .ledger import quarter_start, week_start
from .summary import quarter_name, quarter_text


@router.command("我的积分", aliases=("mypoints",), summary="查看自己的积分、本周得分、排名和最近记录",
                usage="#我的积分", example="#我的积分")
def mine(ctx: Context) -> None:
    """Balance, this week, rank this week, the household's total and the last entries."""
    cfg, member = config(ctx), ctx.member
    week = st.compute(ctx.session, community_id=ctx.community.id, start=week_start(ctx, ctx.now), end=ctx.now)
    row = next((r for r in week.rows if r.member_id == member.id), None)
    rank = week.rank_of(member.id)
    lines = [f"{member.display_name} 的积分：现有 {repo.balance(ctx.session, member_id=member.id)} 分",
             f"本周 {row.points if row else 0:+d} 分" + (f"，本周排第 {rank} 名" if rank else "")]
    if member.household_id:
        lines.append(f"本户合计 {repo.household_balance(ctx.session, household_id=member.household_id)} 分")
    entries = repo.recent_entries(ctx.session, member_id=member.id, limit=cfg.recent_entries)
    if entries:
        lines.append("最近记录：")
        lines += [f"#{e.id} {ctx.local(e.at):%m-%d} {e.amount:+d} {e.rule}" + (f"（{e.reason}）" if e.reason and e.reason != e.rule else "")
                  for e in entries]
    if member.public_as_building:
        lines.append("（榜单上您显示为本楼居民，#积分隐私 关 可恢复显示名字）")
    ctx.reply("\n".join(lines))


@router.command("积分榜", aliases=("leaderboard",), summary="本群范围的积分排行（本周或本季度）",
                usage="#积分榜 [本周|本季]", example="#积分榜 本季")
def leaderboard(ctx: Context) -> None:
    """The chat scope's ranking for this week or this quarter."""
    which = ctx.args.strip() or "本周"
    if which in ("本周", "周"):
        start, label = week_start(ctx, ctx.now), "本周"
    elif which in ("本季", "本季度", "季度", "季"):
        start, label = quarter_start(ctx, ctx.now), "本季度"
    else:
        raise UsageError()
    top = config(ctx).top
    whole = st.compute(ctx.session, community_id=ctx.community.id, start=start, end=ctx.now)
    scope = st.chat_buildings(ctx.chat, whole.buildings)
    mine = whole.scoped(scope)
    lines = [f"【{label}积分榜】{ctx.local(start):%m月%d日}起，共 {mine.total} 分、{mine.participants} 人得分",
             *st.member_lines(mine, top), *st.building_lines(whole, scope)]
    ctx.reply("\n".join(lines))


@router.command("光荣榜", aliases=("honour",), summary="本季度积分最高的居民", usage="#光荣榜", example="#光荣榜")
def honour_roll(ctx: Context) -> None:
    """The quarter's top members so far, for this chat's scope."""
    start = quarter_start(ctx, ctx.now)
    whole = st.compute(ctx.session, community_id=ctx.community.id, start=start, end=ctx.now)
    title = f"【{quarter_name(ctx, start)}光荣榜（截至{ctx.local(ctx.now):%m月%d日}）】"
    ctx.reply(quarter_text(ctx, ctx.chat, whole, title, top=config(ctx).top))


@router.command("积分隐私", aliases=("pointsprivacy",), summary="榜单上只显示“3栋居民”，不显示名字",
                usage="#积分隐私 开|关", example="#积分隐私 开")
def privacy(ctx: Context) -> None:
    """Choose whether public rankings show one's name or only one's building."""
    choice = ctx.args.strip()
    if choice not in ("开", "关"):
        raise UsageError()
    member = ctx.member
    member.public_as_building = choice == "开"
    ctx.session.add(member)
    ctx.reply("好的，榜单上您只显示为本楼居民。" if choice == "开" else "好的，榜单上显示您的名字和楼栋。")


@router.command("积分核对", aliases=("checkpoints",), roles=STAFF, summary="核对每人余额与积分明细之和是否一致",
                usage="#积分核对", example="#积分核对")
def audit(ctx: Context) -> None:
    """Prove the cached balances equal the ledger's sums (or name the ones that do not)."""
    wrong = repo.balance_mismatches(ctx.session, community_id=ctx.community.id)
    if not wrong:
        ctx.reply("积分核对无误：每个人的余额都等于积分明细之和。")
        return
    names = {m.id: m.display_name for m in (ctx.session.get(Member, w[0]) for w in wrong)}
    ctx.reply("积分核对发现不一致：\n" + "\n".join(f"{names[m]}：余额 {c}，明细合计 {s}" for m, c, s in wrong))
