"""#帮助: the commands the sender's role may use, one example each."""
from __future__ import annotations

from bot.context import Context
from bot.router import Router
from storage.models.community import ROLE_LABELS

router = Router("帮助")


@router.command(
    "帮助",
    aliases=("help", "start"),
    summary="查看我能做什么",
    usage="#帮助 [命令]",
    example="#帮助 绑定",
)
def show_help(ctx: Context) -> None:
    """List the commands for the sender's role, or explain one command."""
    registry = ctx.services.registry
    wanted = ctx.args.lstrip("#＃/ ").strip()
    if wanted:
        found = registry.match(wanted) or (
            (registry.match_latin(wanted), "") if registry.match_latin(wanted) else None
        )
        if found is None:
            ctx.reply(f"没有 #{wanted} 这个命令。发送 #帮助 查看全部命令。")
            return
        cmd = found[0]
        aliases = [f"/{a}" for a in cmd.aliases if a.isascii()]
        extra = f"\n也可以用：{' '.join(aliases)}" if aliases else ""
        ctx.reply(f"#{cmd.name}：{cmd.summary}\n{cmd.help_text()}{extra}")
        return
    role = ctx.role
    lines = [f"{ctx.settings.bot_name}可以帮您（{ROLE_LABELS[role]}）："]
    feature = None
    for cmd in registry.unique_commands():
        if role not in cmd.roles:
            continue
        if cmd.feature != feature:
            feature = cmd.feature
            lines.append(f"【{feature}】")
        lines.append(f"#{cmd.name} {cmd.summary}｜例：{cmd.example}")
    lines.append("发送“#帮助 命令”看详细用法；# 也可写作 ＃，或先 @我 再说命令。")
    ctx.reply("\n".join(lines))
