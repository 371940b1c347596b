"""Residents claim points (#申请积分 志愿服务 2小时); a leader over their building approves or rejects."""
from __future__ import annotations

from bot.commands import record_number
from bot.context import Context
from bot.errors import NotFound, UsageError, UserError
from bot.events import Choice
from bot.router import LEADERS
from storage.models import Chat, ChatKind, Member, Role
from storage.models.points import PointClaim
from storage.repo import community as community_repo
from storage.repo import points as repo
from storage.repo import polls as polls_repo

from .feature import config, router
from .ledger import award, building_of, find_rule, hours_of, may_decide_for, require_authority, rule_amount


@router.command(
    "申请积分", aliases=("claimpoints",),
    summary="申请积分，楼栋长审核后记入",
    usage="#申请积分 规则 [时长] [说明]",
    example="#申请积分 志愿服务 2小时 帮邻居搬东西",
)
def claim(ctx: Context) -> None:
    """Record a pending claim and ask the nearest leader in the leaders' chat, with buttons."""
    argv = ctx.argv
    if not argv:
        raise UsageError()
    cfg = config(ctx)
    rule = find_rule(cfg, argv[0])
    hours = next((hours_of(w) for w in argv[1:] if hours_of(w) is not None), None)
    quantity, amount = rule_amount(rule, hours)
    note = " ".join(w for w in argv[1:] if hours_of(w) is None)
    row = repo.add_claim(ctx.session, community_id=ctx.community.id, member_id=ctx.member.id, rule=rule.name,
                         quantity=quantity, amount=amount, note=note[:200],
                         chat_id=ctx.chat.id if ctx.chat else None, created_at=ctx.now)
    deciders = _deciders(ctx, ctx.member)
    what = f"{rule.name}" + (f" {quantity:g}小时" if rule.unit == "小时" else "") + f" +{amount} 分"
    ctx.reply(f"已提交积分申请 #{row.id}（{what}），等楼栋长审核。")
    choices = (Choice("批准", f"points.approve:{row.id}"), Choice("驳回", f"points.reject:{row.id}"))
    text = (f"积分申请 #{row.id}：{ctx.member.display_name} {what}" + (f"（{note}）" if note else "")
            + f"\n也可以发 #批准 {row.id} 或 #驳回积分 {row.id} 原因")
    leaders_chats = community_repo.chats_of_kind(ctx.session, community_id=ctx.community.id, kind=ChatKind.leaders)
    target = leaders_chats[0] if leaders_chats else ctx.chat
    ctx.send(target, text, mentions=tuple(m.id for m in deciders[:1]), choices=choices,
             choices_for=deciders[0].id if deciders else None, broadcast=False, tag=f"claim:{row.id}")


def _deciders(ctx: Context, member: Member) -> list[Member]:
    """Who decides a member's claim, nearest first, never the member."""
    building = building_of(ctx, member)
    if building is None:
        leaders = polls_repo.staff_of(ctx.session, community_id=ctx.community.id)
    else:
        leaders = community_repo.leaders_of_building(ctx.session, building=building)
    return [m for m in leaders if m.id != member.id]


def _claim(ctx: Context, text: str) -> PointClaim:
    number = record_number(text)
    if number is None:
        raise UsageError(f"“{text}”不是积分申请编号。")
    row = repo.lock_claim(ctx.session, community_id=ctx.community.id, claim_id=number)
    if row is None:
        raise NotFound(f"没有积分申请 #{number}。")
    if row.status != "pending":
        raise UserError(f"积分申请 #{row.id} 已经{'批准' if row.status == 'approved' else '驳回'}了。")
    return row


def approve_claim(ctx: Context, claim_id: str) -> None:
    row = _claim(ctx, claim_id)
    member = ctx.session.get(Member, row.member_id)
    require_authority(ctx, member, "批准")
    rule = config(ctx).rule(row.rule) or find_rule(config(ctx), row.rule)
    entry = award(ctx, member=member, rule=rule, amount=row.amount, reason=row.note or row.rule,
                  approved_by=ctx.member, source=f"claim:{row.id}")
    repo.decide_claim(ctx.session, claim_id=row.id, status="approved", by_id=ctx.member.id, at=ctx.now,
                      entry_id=entry.id)
    total = repo.balance(ctx.session, member_id=member.id)
    text = f"积分申请 #{row.id} 已批准：{member.display_name} +{entry.amount} 分（{row.rule}），现有 {total} 分。"
    _tell(ctx, row, member, text)


def reject_claim(ctx: Context, claim_id: str, reason: str) -> None:
    row = _claim(ctx, claim_id)
    member = ctx.session.get(Member, row.member_id)
    require_authority(ctx, member, "驳回")
    repo.decide_claim(ctx.session, claim_id=row.id, status="rejected", by_id=ctx.member.id, at=ctx.now,
                      note=reason[:200])
    _tell(ctx, row, member, f"积分申请 #{row.id}（{row.rule} +{row.amount} 分）被驳回：{reason}")


def _tell(ctx: Context, row: PointClaim, member: Member, text: str) -> None:
    """Answer the decider, and the claimant in the chat they asked from."""
    ctx.reply(text)
    if row.chat_id and (ctx.chat is None or row.chat_id != ctx.chat.id):
        ctx.send(ctx.session.get(Chat, row.chat_id), text, mentions=(member.id,), broadcast=False)


@router.command("批准", aliases=("approve",), roles=LEADERS, summary="批准一项积分申请",
                usage="#批准 申请编号", example="#批准 12")
def approve(ctx: Context) -> None:
    """#批准 12."""
    if len(ctx.argv) != 1:
        raise UsageError()
    approve_claim(ctx, ctx.argv[0])


@router.command("驳回积分", aliases=("rejectclaim",), roles=LEADERS, summary="驳回一项积分申请并说明原因",
                usage="#驳回积分 申请编号 原因", example="#驳回积分 12 当天没有活动")
def reject(ctx: Context) -> None:
    """#驳回积分 12 原因."""
    parts = ctx.args.split(maxsplit=1)
    if len(parts) < 2:
        raise UsageError("请写申请编号和驳回的原因。")
    reject_claim(ctx, ctx.argv[0], parts[1].strip())


@router.action("points.approve")
def approve_button(ctx: Context, claim_id: str) -> None:
    if ctx.role == Role.resident:
        raise UserError("只有楼栋长、网格长或社区工作者可以批准积分。")
    approve_claim(ctx, claim_id)


@router.action("points.reject")
def reject_button(ctx: Context, claim_id: str) -> None:
    if ctx.role == Role.resident:
        raise UserError("只有楼栋长、网格长或社区工作者可以驳回积分。")
    reject_claim(ctx, claim_id, "未说明原因")


@router.command("待审积分", aliases=("pendingclaims",), roles=LEADERS, summary="您负责范围里等待审核的积分申请",
                usage="#待审积分", example="#待审积分")
def pending(ctx: Context) -> None:
    """The pending claims the sender may decide, each with its approve and reject buttons."""
    rows = []
    for row in repo.pending_claims(ctx.session, community_id=ctx.community.id):
        member = ctx.session.get(Member, row.member_id)
        if may_decide_for(ctx, ctx.member, member):
            rows.append((row, member))
    if not rows:
        ctx.reply("没有等您审核的积分申请。")
        return
    lines = ["等您审核的积分申请："] + [
        f"#{row.id} {member.display_name} {row.rule} +{row.amount} 分" + (f"（{row.note}）" if row.note else "")
        for row, member in rows
    ]
    lines.append("发 #批准 编号 或 #驳回积分 编号 原因；也可以按下面的按钮批准。")
    choices = tuple(Choice(f"批准 #{row.id}", f"points.approve:{row.id}") for row, _ in rows[:9])
    ctx.reply("\n".join(lines), choices=choices)
