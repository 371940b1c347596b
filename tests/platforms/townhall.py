"""A test-only feature for the platform scenarios: review buttons, broadcasts, long texts, a picture.

Roster posts its review request in the chat where the resident asked; ``#审核 编号`` gives
a leader the same decision as buttons wherever the leader is (a Telegram leaders' chat).
"""
from __future__ import annotations

import base64
from pathlib import Path

from bot.context import Context
from bot.errors import UsageError
from bot.events import Choice
from bot.router import LEADERS, Router
from storage.models import BindingRequest, Household, Member
from storage.repo import community as community_repo

router = Router("测试")

# The smallest valid PNG: one transparent pixel.
PIXEL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@router.command("审核", summary="一个绑定申请的决定按钮", usage="#审核 编号", example="#审核 1", roles=LEADERS)
def review(ctx: Context) -> None:
    argv = ctx.argv
    request = ctx.session.get(BindingRequest, int(argv[0])) if argv and argv[0].isdigit() else None
    if request is None:
        raise UsageError()
    household = ctx.session.get(Household, request.household_id)
    member = ctx.session.get(Member, request.member_id)
    ctx.reply(
        f"{member.display_name} 申请绑定 {household.code}（编号 {request.id}）",
        choices=(Choice("批准", f"binding.approve:{request.id}"), Choice("驳回", f"binding.reject:{request.id}")),
    )


@router.command("通知", summary="发到本社区所有群", usage="#通知 内容", example="#通知 周六大扫除", roles=LEADERS)
def notify(ctx: Context) -> None:
    if not ctx.args.strip():
        raise UsageError()
    for chat in community_repo.chats_of_community(ctx.session, community_id=ctx.community.id):
        ctx.send(chat, f"【通知】{ctx.args.strip()}", urgent=True)


@router.command("长文", summary="一段很长的话，带选项", usage="#长文 行数 [每行字数]", example="#长文 300")
def long_text(ctx: Context) -> None:
    argv = ctx.argv
    if not argv or not argv[0].isdigit():
        raise UsageError()
    width = int(argv[1]) if len(argv) > 1 and argv[1].isdigit() else 20
    lines = [f"{n:04d}" + "长" * (width - 4) for n in range(int(argv[0]))]
    ctx.reply("\n".join(lines), choices=(Choice("知道了", "test.ok"),), open_choices=True)


@router.command("长选项", summary="一个动作很长的按钮", usage="#长选项", example="#长选项")
def long_action(ctx: Context) -> None:
    ctx.reply("请确认", choices=(Choice("确认", "test.echo:" + "x" * 70),), open_choices=True)


@router.command("图片", summary="发一张图", usage="#图片", example="#图片")
def picture(ctx: Context) -> None:
    path = ctx.settings.data_dir / "test-pixel.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    # Replaced whole, never rewritten in place: an adapter may be reading the last one.
    fresh = path.with_suffix(".tmp")
    fresh.write_bytes(PIXEL_PNG)
    fresh.replace(path)
    ctx.reply("本周统计图", image=str(path))


@router.action("test.ok")
def ok(ctx: Context) -> None:
    ctx.reply(f"{ctx.member.display_name} 知道了")


@router.action("test.echo")
def echo(ctx: Context, payload: str) -> None:
    ctx.reply(f"收到 {len(payload)} 个字")


@router.message(priority=90)
def pictures(ctx: Context) -> bool:
    """Say what arrived, so a test sees the adapter saved the picture where the core can read it."""
    images = getattr(ctx.event, "images", ())
    if not images:
        return False
    sizes = [Path(i.ref).stat().st_size for i in images]
    ctx.reply(f"收到 {len(images)} 张图片，{sum(sizes)} 字节：{ctx.event.text or '无说明'}")
    return True
