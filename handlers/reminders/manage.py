"""#提醒列表, #取消提醒, #暂停提醒, #恢复提醒."""
from __future__ import annotations

from functools import partial

from bot.commands import record_number
from bot.context import Context
from bot.errors import Forbidden, NotFound, UsageError, UserError
from storage.models import Chat, Member, Reminder, ReminderStatus, Role
from storage.repo import reminders as repo

from . import jobs
from .feature import router
from .scope import may_manage, may_remind
from .text import chats_text, moment_text, schedule_text, upcoming_text

MAX_LISTED = 30
ENDED = {ReminderStatus.done: "已经发过了", ReminderStatus.cancelled: "已经取消了"}


@router.command(
    "提醒列表",
    aliases=("reminders",),
    summary="查看本群的提醒和您设的提醒（负责人加“全部”看所负责各群的）",
    usage="#提醒列表 [全部]",
    example="#提醒列表",
)
def list_reminders(ctx: Context) -> None:
    """This chat's reminders and the sender's own; leaders add 全部 for all that reaches their chats."""
    everything = ctx.args.strip() == "全部" and ctx.role != Role.resident
    live = repo.live_reminders(ctx.session, community_id=ctx.community.id)
    targets = repo.targets_by_reminder(ctx.session, reminder_ids=[r.id for r in live])
    shown = [r for r in live if _listed(ctx, r, targets.get(r.id, []), everything)]
    if not shown:
        ctx.reply("目前没有提醒。设一个试试：#提醒 每周六早上8点 卫生大扫除")
        return
    lines = [f"{'您负责的群收到的' if everything else '本群的'}提醒（{len(shown)}）："]
    for reminder in shown[:MAX_LISTED]:
        lines.append(_line(ctx, reminder, targets.get(reminder.id, [])))
    if len(shown) > MAX_LISTED:
        lines.append(f"……还有 {len(shown) - MAX_LISTED} 条")
    lines.append("暂停/恢复/取消：#暂停提醒 编号、#恢复提醒 编号、#取消提醒 编号")
    ctx.reply("\n".join(lines))


def _listed(ctx: Context, reminder: Reminder, chats: list[Chat], everything: bool) -> bool:
    if reminder.creator_id == ctx.member.id:
        return True
    if everything:  # whatever reaches a chat they look after, even if not theirs to change
        return any(may_remind(ctx.session, ctx.member, c) for c in chats)
    here = any(c.id == ctx.chat.id for c in chats)
    # Someone else's personal reminder is theirs; their leaders may still see it.
    return here and (not reminder.personal or ctx.role != Role.resident)


def _line(ctx: Context, reminder: Reminder, chats: list[Chat]) -> str:
    parts = [schedule_text(reminder), reminder.text if len(reminder.text) <= 30 else reminder.text[:30] + "…"]
    if reminder.personal:
        parts.append(f"提醒{ctx.session.get(Member, reminder.creator_id).display_name}")
    elif [c.id for c in chats] != [ctx.chat.id]:
        parts.append(f"发到 {chats_text(chats)}")
    if reminder.checkin_minutes:
        parts.append("签到")
    if reminder.status == ReminderStatus.paused:
        parts.append("已暂停")
    else:
        upcoming = repo.job_next_run(ctx.session, job_id=jobs.job_id(reminder.id))
        parts.append("时间已过" if upcoming is None else "下次 " + upcoming_text(
            [ctx.local(upcoming)], now=ctx.now, quiet=ctx.settings.quiet_hours,
            skipped=partial(ctx.config("reminders").skips, reminder)))
    return f"{reminder.id}. " + "｜".join(parts)


@router.command(
    "取消提醒",
    aliases=("remind_cancel",),
    summary="取消一条提醒",
    usage="#取消提醒 编号",
    example="#取消提醒 3",
)
def cancel(ctx: Context) -> None:
    """Cancel a reminder for good (the creator, or leaders over all its chats)."""
    reminder = _managed_reminder(ctx, "取消")
    repo.set_status(ctx.session, reminder=reminder, status=ReminderStatus.cancelled, now=ctx.now)
    ctx.unschedule(jobs.job_id(reminder.id))
    ctx.reply(f"已取消提醒 {reminder.id}：{schedule_text(reminder)} {reminder.text}")


@router.command(
    "暂停提醒",
    aliases=("remind_pause",),
    summary="暂停一条提醒，之后可以恢复",
    usage="#暂停提醒 编号",
    example="#暂停提醒 3",
)
def pause(ctx: Context) -> None:
    """Stop a reminder from firing until it is resumed."""
    reminder = _managed_reminder(ctx, "暂停")
    if reminder.status == ReminderStatus.paused:
        raise UserError(f"提醒 {reminder.id} 已经是暂停状态。恢复请发：#恢复提醒 {reminder.id}")
    repo.set_status(ctx.session, reminder=reminder, status=ReminderStatus.paused, now=ctx.now)
    ctx.unschedule(jobs.job_id(reminder.id))
    ctx.reply(f"已暂停提醒 {reminder.id}（{schedule_text(reminder)}）。恢复请发：#恢复提醒 {reminder.id}")


@router.command(
    "恢复提醒",
    aliases=("remind_resume",),
    summary="恢复一条暂停的提醒",
    usage="#恢复提醒 编号",
    example="#恢复提醒 3",
)
def resume(ctx: Context) -> None:
    """Let a paused reminder fire again from its next time after now (paused runs are not made up)."""
    reminder = _managed_reminder(ctx, "恢复")
    if reminder.status != ReminderStatus.paused:
        raise UserError(f"提醒 {reminder.id} 没有暂停，不用恢复。")
    upcoming = jobs.schedule_of(reminder).next_fire_times(ctx.now, 1)
    if not upcoming:
        raise UserError(f"提醒 {reminder.id} 的时间已经过了，无法恢复。请重新设置，例如：#提醒 明天下午3点 开会")
    repo.set_status(ctx.session, reminder=reminder, status=ReminderStatus.active, now=ctx.now)
    jobs.schedule(ctx, reminder)
    ctx.reply(f"已恢复提醒 {reminder.id}，下次：{moment_text(upcoming[0], now=ctx.now)}")


def _managed_reminder(ctx: Context, verb: str) -> Reminder:
    """The live reminder the command names (by number, or by quoting it) that the sender may manage."""
    reminder_id = _number(ctx)
    reminder = repo.reminder(ctx.session, community_id=ctx.community.id, reminder_id=reminder_id)
    if reminder is None:
        raise NotFound(f"没有编号为 {reminder_id} 的提醒。发 #提醒列表 查看编号。")
    if reminder.status in ENDED:
        raise UserError(f"提醒 {reminder_id} {ENDED[reminder.status]}。")
    if not may_manage(ctx.session, ctx.member, reminder):
        creator = ctx.session.get(Member, reminder.creator_id)
        raise Forbidden(f"只有设这条提醒的{creator.display_name}，或负责它所发各群的负责人，可以{verb}提醒 {reminder_id}。"
                        "发 #提醒列表 查看您能管理的提醒。")
    return reminder


def _number(ctx: Context) -> int:
    argv = ctx.argv
    if argv:
        number = record_number(argv[0])
        if number is None:
            raise UsageError(f"“{argv[0]}”不是提醒编号。")
        return number
    tag = ctx.replied_to_tag() or ""
    kind, _, text = tag.partition(":")
    number = record_number(text) if kind == "reminder" else None
    if number is not None:
        return number
    raise UsageError("请写明提醒编号（发 #提醒列表 查看）。")
