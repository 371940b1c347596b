"""A test-only feature that schedules work, to exercise the scheduler without real features."""
from __future__ import annotations

from datetime import timedelta

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from bot.context import Context
from bot.errors import UsageError
from bot.router import Router
from storage.repo import community as community_repo

router = Router("测试")


@router.command("定时", summary="N 分钟后在本群说一句话", usage="#定时 分钟 话", example="#定时 5 开会了")
def later(ctx: Context) -> None:
    parts = ctx.args.split(maxsplit=1)
    if len(parts) != 2 or not parts[0].isdigit():
        raise UsageError()
    at = ctx.now + timedelta(minutes=int(parts[0]))
    ctx.schedule(f"test-say:{ctx.chat.key}:{parts[1]}", "test-say", DateTrigger(run_date=at),
                 args={"community": ctx.community.key, "chat": ctx.chat.key, "text": parts[1]})
    ctx.reply(f"好的，{ctx.local(at):%H:%M} 提醒。")


@router.command("每日", summary="每天某点在本群说一句话", usage="#每日 时 话", example="#每日 8 早上好",
                aliases=("daily",))
def daily(ctx: Context) -> None:
    parts = ctx.args.split(maxsplit=1)
    if len(parts) != 2 or not parts[0].isdigit():
        raise UsageError()
    trigger = CronTrigger(hour=int(parts[0]), minute=0, timezone=ctx.settings.tz)
    ctx.schedule(f"test-daily:{ctx.chat.key}", "test-say", trigger,
                 args={"community": ctx.community.key, "chat": ctx.chat.key, "text": parts[1]}, grace_seconds=3600)
    ctx.reply("好的，每天提醒。")


@router.task("test-say")
def say(ctx: Context, chat: str, text: str) -> None:
    target = community_repo.chat_by_key(ctx.session, key=chat)
    suffix = "（补发）" if ctx.late else ""
    ctx.send(target, f"{text}{suffix}")
