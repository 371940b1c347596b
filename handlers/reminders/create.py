"""#提醒: a reminder in everyday Chinese, echoed back with its next fire times."""
from __future__ import annotations

from functools import partial

from bot.context import Context
from bot.errors import Forbidden, UsageError, UserError
from bot.when import OneShot, Recurring, split_when
from storage.models import Chat, Reminder
from storage.repo import community as community_repo
from storage.repo import reminders as repo

from . import jobs
from .feature import router
from .request import read_request
from .scope import resolve_targets
from .text import chats_text, checkin_text, moment_text, schedule_text, upcoming_text

MAX_TEXT = 500
SHOWN_TIMES = 3
CANCEL_HINT = "请先发 #提醒列表 查看编号，取消不需要的，例如：#取消提醒 3"


@router.command(
    "提醒",
    aliases=("remind",),
    summary="定时提醒（可每周、每月重复，可开签到）",
    usage="#提醒 时间 内容 [签到2小时] [节假日照常] [发到 群名…]",
    example="#提醒 每周六早上8点 卫生大扫除，请大家带好工具到楼下集合 签到2小时",
)
def remind(ctx: Context) -> None:
    """Set a reminder for this chat, for other chats in the sender's scope, or (residents) for oneself."""
    if not ctx.args.strip():
        raise UsageError("请写上时间和要提醒的事。")
    config = ctx.config("reminders")
    keys = frozenset(c.key.lower() for c in community_repo.chats_of_community(ctx.session, community_id=ctx.community.id))
    request = read_request(ctx.args, chat_keys=keys, max_checkin_hours=config.max_checkin_hours)
    when, text = split_when(request.body, now=ctx.now)
    if len(text) > MAX_TEXT:
        raise UsageError(f"提醒内容太长了（{len(text)} 字），请控制在 {MAX_TEXT} 字以内。")
    chats, personal = resolve_targets(ctx, request.targets)
    if personal and request.checkin_minutes:
        # Check-ins earn points: only reminders a leader sends to a chat may collect them.
        raise Forbidden("签到只能用在负责人发到群里的提醒上；自己的提醒不能开签到。例如：#提醒 明天上午9点 去社区医院量血压")
    recurring = isinstance(when, Recurring)
    skip_holidays = recurring and (config.skip_holidays if request.on_holidays is None else not request.on_holidays)

    repo.lock_chats(ctx.session, chat_ids=[c.id for c in chats])
    reminder = repo.add_reminder(
        ctx.session, community_id=ctx.community.id, creator_id=ctx.member.id, chat_id=ctx.chat.id, text=text,
        schedule=when.to_spec(), recurring=recurring, skip_holidays=skip_holidays,
        checkin_minutes=request.checkin_minutes, personal=personal, target_ids=[c.id for c in chats], now=ctx.now,
    )
    _refuse_over_limits(ctx, reminder, chats)
    jobs.schedule(ctx, reminder)
    ctx.reply(_echo(ctx, reminder, when, chats), tag=f"reminder:{reminder.id}")


def _refuse_over_limits(ctx: Context, reminder: Reminder, chats: list[Chat]) -> None:
    """Counted with the new reminder already in, under the chats' lock: racing commands cannot both pass."""
    config = ctx.config("reminders")
    counts = repo.live_counts(ctx.session, chat_ids=[c.id for c in chats])
    full = [c for c in chats if counts.get(c.id, 0) > config.max_per_chat]
    if full:
        raise UserError(f"{chats_text(full)}已有 {config.max_per_chat} 条提醒，到上限了。{CANCEL_HINT}")
    if reminder.personal and repo.live_personal_count(ctx.session, member_id=ctx.member.id) > config.max_personal:
        raise UserError(f"每人最多设 {config.max_personal} 条自己的提醒，您已经设满了。{CANCEL_HINT}")


def _echo(ctx: Context, reminder: Reminder, when: OneShot | Recurring, chats: list[Chat]) -> str:
    times = when.next_fire_times(ctx.now, SHOWN_TIMES)
    quiet = ctx.settings.quiet_hours
    skipped = partial(ctx.config("reminders").skips, reminder)
    lines = [f"好的，已设提醒 {reminder.id}：{schedule_text(reminder)}", f"内容：{reminder.text}"]
    if reminder.personal:
        lines.append(f"到时在本群@{ctx.member.display_name}")
    else:
        lines.append(f"发到：{chats_text(chats)}")
    if reminder.checkin_minutes:
        lines.append(f"签到：每次发出后{checkin_text(reminder.checkin_minutes)}内回复“签到”记积分")
    if reminder.recurring:
        lines.append(f"接下来：{upcoming_text(times, now=ctx.now, quiet=quiet, skipped=skipped)}")
    elif quiet.contains(times[0].time()):
        lines.append(f"（{moment_text(times[0], now=ctx.now)} 在免打扰时段，{quiet.release(times[0]):%H:%M} 发出）")
    lines.append(f"暂停：#暂停提醒 {reminder.id}　取消：#取消提醒 {reminder.id}")
    return "\n".join(lines)

