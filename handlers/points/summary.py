"""The weekly summary (Sunday 20:00 by default) and the quarterly ranking (晾晒), on the scheduler."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from apscheduler.triggers.cron import CronTrigger

from bot.context import Context
from storage.repo import community as community_repo

from . import standings as st
from .feature import config, router
from .ledger import quarter_start, week_start

WEEKLY_TASK = "points.weekly-summary"
QUARTERLY_TASK = "points.quarterly-ranking"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def weekly_job(community_key: str) -> str:
    return f"weekly-summary:{community_key}"


def quarterly_job(community_key: str) -> str:
    return f"quarterly-ranking:{community_key}"


@router.on_startup
def ensure_jobs(ctx: Context) -> None:
    """Give each community its two periodic jobs.

    A stored job with the same schedule is kept, so its next run time lets a run missed
    while the bot was down be caught up; a changed time in the config replaces it.
    """
    scheduler = ctx.services.require_scheduler()
    cfg, tz = config(ctx), ctx.settings.tz
    args = {"community": ctx.community.key}
    weekly = CronTrigger(day_of_week=DAYS[cfg.summary_weekday], hour=cfg.summary_time.hour,
                         minute=cfg.summary_time.minute, timezone=tz)
    quarterly = CronTrigger(month="1,4,7,10", day=1, hour=cfg.quarterly_time.hour,
                            minute=cfg.quarterly_time.minute, timezone=tz)
    for job, task, trigger in ((weekly_job(ctx.community.key), WEEKLY_TASK, weekly),
                               (quarterly_job(ctx.community.key), QUARTERLY_TASK, quarterly)):
        stored = scheduler.get(job)
        if stored is None or str(stored.trigger) != str(trigger):
            scheduler.put(job, task, trigger, args=args, now=ctx.now, grace_seconds=6 * 3600)


def chart_dir(ctx: Context) -> Path:
    return Path(ctx.settings.data_dir) / "charts"


def _span(ctx: Context, start: datetime, end: datetime) -> str:
    last = ctx.local(end - timedelta(seconds=1))
    return f"{ctx.local(start):%m月%d日}–{last:%m月%d日}"


@router.task(WEEKLY_TASK)
def weekly_summary(ctx: Context) -> None:
    """To each chat, for its scope: top members, 最美楼栋, the week's totals, other features' lines, a chart.

    Run at the weekend it covers this week so far; run on a weekday, the week before.
    """
    end = ctx.scheduled_at or ctx.now
    start, label = week_start(ctx, end), "本周"
    if ctx.local(end).weekday() < 5:
        # Early in a week the summary is of the week before, Monday to Sunday.
        start, end, label = start - timedelta(days=7), start, "上周"
    post_summaries(ctx, start, end, label)


def post_summaries(ctx: Context, start: datetime, end: datetime, label: str = "本周") -> None:
    cfg = config(ctx)
    whole = st.compute(ctx.session, community_id=ctx.community.id, start=start, end=end)
    if not whole.rows:
        # A week without a single point (a community not using points) posts nothing.
        return
    span = _span(ctx, start, end)
    late = ""
    if ctx.late and ctx.scheduled_at is not None:
        # The bot was down at the summary's time: say so, or residents wonder why it came now.
        late = f"\n（补发：原定 {ctx.local(ctx.scheduled_at):%m月%d日 %H:%M} 发布，系统恢复后补发）"
    for chat in community_repo.chats_of_community(ctx.session, community_id=ctx.community.id):
        text, image = summary_for(ctx, chat, whole, start, end, span, top=cfg.top, label=label)
        ctx.send(chat, text + late, image=image, tag="points:weekly")


def summary_for(ctx: Context, chat, whole: st.Standings, start: datetime, end: datetime, span: str,
                *, top: int, label: str = "本周") -> tuple[str, str | None]:
    """One chat's weekly summary text and chart path."""
    scope = st.chat_buildings(chat, whole.buildings)
    mine = whole.scoped(scope)
    where = "" if scope is None else f"（{chat.name}）"
    lines = [f"【{label}积分】{span}{where}",
             f"{label} {mine.activities} 人次参加活动，{mine.participants} 人得分，共 {mine.total} 分。",
             f"积分前 {top} 名：", *st.member_lines(mine, top), *st.building_lines(whole, scope)]
    extra: list[str] = []
    ctx.emit("summary.collect", start=start, end=end, chat=chat, lines=extra)
    lines.extend(extra)
    lines.append("发 #我的积分 查看自己的积分，#兑换 奖品 用积分换东西。")
    path = chart_dir(ctx) / f"weekly-{ctx.community.key}-{ctx.local(start):%Y%m%d}-{chat.key}.png"
    image = st.chart(path, mine, title=f"{label}积分前 {top} 名", subtitle=f"{span}{where}", top=top)
    return "\n".join(lines), image


@router.task(QUARTERLY_TASK)
def quarterly_ranking(ctx: Context) -> None:
    """On the first day of a quarter: the last quarter's ranking and its 光荣榜, to every chat for its scope."""
    now = ctx.scheduled_at or ctx.now
    end = quarter_start(ctx, now)
    start = quarter_start(ctx, end - timedelta(days=1))
    cfg = config(ctx)
    whole = st.compute(ctx.session, community_id=ctx.community.id, start=start, end=end)
    if not whole.rows:
        return
    title = f"【{quarter_name(ctx, start)}积分晾晒】"
    for chat in community_repo.chats_of_community(ctx.session, community_id=ctx.community.id):
        ctx.send(chat, quarter_text(ctx, chat, whole, title, top=cfg.top), tag="points:quarterly")


def quarter_name(ctx: Context, start: datetime) -> str:
    """2026年第4季度, for the quarter starting at ``start``."""
    local = ctx.local(start)
    return f"{local:%Y}年第{(local.month - 1) // 3 + 1}季度"


def quarter_text(ctx: Context, chat, whole: st.Standings, title: str, *, top: int) -> str:
    scope = st.chat_buildings(chat, whole.buildings)
    mine = whole.scoped(scope)
    honour = [f"🏅 {r.shown} {r.points} 分" for r in mine.members[:top]]
    lines = [title, f"本季度 {mine.activities} 人次参加活动，{mine.participants} 人得分，共 {mine.total} 分。",
             "光荣榜：", *(honour or ["本季度还没有人得分。"]), *st.building_lines(whole, scope)]
    return "\n".join(lines)
