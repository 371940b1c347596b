"""Creating polls: #投票, #多选, #户投票 and #表决, posted to every chat of their scope at once."""
from __future__ import annotations

from datetime import datetime, timedelta

from bot.context import Context
from bot.errors import UsageError, UserError
from bot.events import Choice
from bot.router import LEADERS
from bot.when import OneShot, parse_when
from handlers.polls import render
from handlers.polls.feature import config, router
from handlers.polls.scope import Scope, all_buildings, describe, resolve_scope
from handlers.polls.syntax import PollSpec, parse_spec
from handlers.polls.tally import FORMAL_OPTIONS, electorate
from storage.models import Poll, PollBuilding, PollChat, PollKind
from storage.repo import polls as polls_repo

MIN_DURATION = timedelta(minutes=10)
# A close missed while the bot was down still happens when it is back, however late.
CLOSE_GRACE_SECONDS = 7 * 24 * 3600
SCOPE_USAGE = "[截止 时间] [范围 3栋 5栋 | 全体群] [实名] [保密]"


@router.command(
    "投票", aliases=("poll",), roles=LEADERS,
    summary="发起投票，每人一票",
    usage=f"#投票 问题 选项1/选项2/… {SCOPE_USAGE}",
    example="#投票 外墙刷什么颜色？ 灰色/米黄色/白色 截止 周五18:00",
)
def quick_poll(ctx: Context) -> None:
    """A poll where every resident has one vote."""
    open_from_command(ctx, PollKind.quick)


@router.command(
    "多选", aliases=("multipoll",), roles=LEADERS,
    summary="发起可多选的投票",
    usage=f"#多选 [最多N项] 问题 选项1/选项2/… {SCOPE_USAGE}",
    example="#多选 最多2项 周末活动选哪些？ 包饺子/义诊/电影 截止 周四20:00",
)
def multi_poll(ctx: Context) -> None:
    """A poll where each voter may pick several options."""
    open_from_command(ctx, PollKind.quick, multi=True)


@router.command(
    "户投票", aliases=("householdpoll",), roles=LEADERS,
    summary="发起每户一票的投票",
    usage=f"#户投票 问题 选项1/选项2/… {SCOPE_USAGE}",
    example="#户投票 3栋是否加装电梯？ 同意/反对 截止 11月30日 范围 3栋",
)
def household_poll(ctx: Context) -> None:
    """A poll with one vote per household."""
    open_from_command(ctx, PollKind.household)


@router.command(
    "表决", aliases=("decision",), roles=LEADERS,
    summary="按《民法典》第278条发起业主表决（同意/反对/弃权）",
    usage="#表决 [特别] 事项 [截止 时间] [范围 3栋 5栋 | 全体群] [实名]",
    example="#表决 每户出资50元安装监控 截止 周五18:00 全体群",
)
def formal_decision(ctx: Context) -> None:
    """An owners' decision: 2/3 turnout by area and households, then a majority (or 3/4 for 特别)."""
    open_from_command(ctx, PollKind.formal)


def open_from_command(ctx: Context, kind: PollKind, *, multi: bool = False) -> Poll:
    if not ctx.args.strip():
        raise UsageError()
    spec = parse_spec(ctx.args, with_options=kind != PollKind.formal)
    spec.multi = spec.multi or multi
    if kind == PollKind.formal:
        if spec.multi:
            raise UsageError("表决只能单选（同意/反对/弃权）。")
        spec.options = list(FORMAL_OPTIONS)
    elif spec.special:
        raise UsageError("“特别”只用于 #表决。")
    deadline, defaulted = read_deadline(ctx, spec.deadline)
    scope = resolve_scope(ctx, spec, ctx.chat)
    return publish(ctx, kind=kind, spec=spec, deadline=deadline, scope=scope, deadline_defaulted=defaulted)


def read_deadline(ctx: Context, text: str | None) -> tuple[datetime, bool]:
    """The deadline written after 截止, or the default; (moment, whether it was the default)."""
    cfg = config(ctx)
    now = ctx.local(ctx.now)
    if text is None:
        day = now.date() + timedelta(days=cfg.default_days)
        return datetime.combine(day, cfg.date_only_time, tzinfo=now.tzinfo), True
    when = parse_when(text, now=now, default_time=cfg.date_only_time)
    if not isinstance(when, OneShot):
        raise UsageError("截止时间要写具体的一天或一刻（如 周五18:00、11月30日），不能是周期。")
    if when.at - now < MIN_DURATION:
        raise UserError(f"截止时间 {when.describe()} 太近了，请至少留 {MIN_DURATION.seconds // 60} 分钟。")
    if when.at - now > timedelta(days=cfg.max_days):
        raise UserError(f"截止时间 {when.describe()} 太远了，投票最长 {cfg.max_days} 天。")
    return when.at, False


def publish(ctx: Context, *, kind: PollKind, spec: PollSpec, deadline: datetime, scope: Scope,
            deadline_defaulted: bool = False, proposal_id: int | None = None) -> Poll:
    """Store the poll, schedule its close and nudges, and post it to each of its chats."""
    size = len(spec.options)
    max_choices = 1
    if spec.multi:
        max_choices = spec.max_choices or size
        if not 1 <= max_choices <= size:
            raise UsageError(f"最多选的项数要在 1 到 {size} 之间。")
    poll = Poll(
        community_id=ctx.community.id, kind=kind, question=spec.question, options=spec.options,
        max_choices=max_choices, named=spec.named, hide_results=spec.hidden, special=spec.special,
        deadline=deadline, created_by_id=ctx.member.id, chat_id=ctx.chat.id, proposal_id=proposal_id,
        created_at=ctx.now,
    )
    ctx.session.add(poll)
    ctx.session.flush()
    ctx.session.add_all([PollBuilding(poll_id=poll.id, building_id=b.id) for b in scope.buildings])
    ctx.session.add_all([PollChat(poll_id=poll.id, chat_id=c.id) for c in scope.chats])
    ctx.session.flush()
    warning = None
    if kind == PollKind.formal:
        eligible, no_area = electorate(ctx.session, poll)
        if not eligible:
            raise UserError("范围内的住户在名册里都没有面积，无法按第278条表决。请先补录面积（cocreate roster import）。")
        if no_area:
            warning = (f"注意：{len(no_area)} 户在名册里没有面积，不能参加这次表决，也不计入表决基数："
                       f"{'、'.join(h.code for h in no_area[:20])}{' 等' if len(no_area) > 20 else ''}。"
                       "补录面积请联系社区（cocreate roster import）。")
    _schedule(ctx, poll)
    text = post_text(ctx, poll, scope, deadline_defaulted)
    choices = tuple(Choice(label, f"poll.vote:{poll.id}:{n}") for n, label in enumerate(poll.options, start=1))
    tag = f"poll:{poll.id}"
    for chat in scope.chats:
        if chat.id == ctx.chat.id:
            ctx.reply(text, choices=choices, open_choices=True, tag=tag)
        else:
            ctx.send(chat, text, choices=choices, tag=tag)
    if ctx.chat.id not in {c.id for c in scope.chats}:
        ctx.reply(f"已发布{render.KIND_LABELS[kind]} #{poll.id}，发在：{'、'.join(c.name for c in scope.chats)}。")
    if warning:
        ctx.reply(warning)
    return poll


def post_text(ctx: Context, poll: Poll, scope: Scope, deadline_defaulted: bool) -> str:
    tz = ctx.settings.tz
    deadline = f"截止：{render.when(poll.deadline, tz)}"
    if deadline_defaulted:
        deadline += f"（没写截止时间，默认 {config(ctx).default_days} 天）"
    lines = [render.title(poll), deadline,
             f"范围：{describe(scope.buildings, all_buildings(ctx.session, ctx.community.id))}；"
             f"{render.how_to_vote(poll)}"]
    if poll.kind == PollKind.formal:
        lines += _formal_rules(ctx, poll)
    if poll.proposal_id is not None:
        supports = polls_repo.support_count(ctx.session, proposal_id=poll.proposal_id)
        lines.append(f"由居民提议 #{poll.proposal_id} 转来（{supports} 户支持）")
    if len(scope.chats) > 1:
        lines.append(f"同时发在：{'、'.join(c.name for c in scope.chats)}，合并计票")
    lines.append(f"点选或回复数字投票，也可发“投 1”；撤回发“#撤回投票 {poll.id}”")
    return "\n".join(lines)


def _formal_rules(ctx: Context, poll: Poll) -> list[str]:
    eligible, _ = electorate(ctx.session, poll)
    area = sum(render.civil_code.exact_area(h.area_m2) for h in eligible)
    consent = "同意须 ≥ 参与表决面积和户数的 3/4（特别事项）" if poll.special else \
        "同意须 > 参与表决面积和户数的一半（一般事项）"
    return [
        f"按《民法典》第278条：参与表决的专有面积和户数都须 ≥ 2/3；{consent}",
        f"可参与表决：{len(eligible)} 户，专有面积 {render.m2(area)} ㎡",
    ]


def _schedule(ctx: Context, poll: Poll) -> None:
    tz = ctx.settings.tz
    args = {"community": ctx.community.key, "poll_id": poll.id}
    ctx.schedule(f"poll-close:{poll.id}", "poll-close", OneShot(poll.deadline.astimezone(tz)).trigger(tz),
                 args=args, grace_seconds=CLOSE_GRACE_SECONDS)
    for hours in config(ctx).nudge_hours:
        at = poll.deadline - timedelta(hours=hours)
        if at > ctx.now:
            ctx.schedule(f"poll-nudge:{poll.id}:{hours}", "poll-nudge", OneShot(at.astimezone(tz)).trigger(tz),
                         args={**args, "hours": hours})
