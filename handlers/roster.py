"""Who lives where: binding a member to a household, pending the building leader's approval."""
from __future__ import annotations

import re

from sqlmodel import select

from bot.commands import normalize, record_number
from bot.context import Context
from bot.errors import Forbidden, NotFound, UsageError, UserError
from bot.events import Choice
from bot.roster import household_code, split_household_code
from bot.router import LEADERS, Router
from storage.models import BindingRequest, Building, Chat, Grid, Household, Member
from storage.models.community import ROLE_LABELS
from storage.repo import community as community_repo

router = Router("住户")

CHINESE_ADDRESS = re.compile(
    r"^\s*([0-9A-Za-z]{1,8})\s*(?:栋|幢|号楼|座|#)\s*(?:([0-9]{1,3})\s*单元)?\s*([0-9A-Za-z]{1,8})\s*(?:室|号)?\s*$"
)


def read_household_code(text: str) -> str | None:
    """A household code from ``3-2-301`` or ``3栋2单元301室``; None when it is neither."""
    text = normalize(text).strip()
    parts = split_household_code(text)
    if parts is None:
        match = CHINESE_ADDRESS.match(text)
        if match is None:
            return None
        parts = (match.group(1).upper(), match.group(2), match.group(3).upper())
    return household_code(*parts)


@router.command(
    "绑定",
    aliases=("bind",),
    summary="登记您家的门牌，楼栋长审核后生效",
    usage="#绑定 楼栋-单元-门牌",
    example="#绑定 3-2-301",
)
def bind(ctx: Context) -> None:
    """Ask to be recorded as a member of a household."""
    code = read_household_code(ctx.args) if ctx.args else None
    if code is None:
        raise UsageError("请写明门牌号。")
    household = community_repo.household_by_code(ctx.session, community_id=ctx.community.id, code=code)
    if household is None:
        raise NotFound(f"名册里没有门牌 {code}。请核对，或请楼栋长把它加入名册。")
    if ctx.member.household_id == household.id:
        ctx.reply(f"您已经绑定了 {code}，无需重复申请。")
        return
    for old in ctx.session.exec(
        select(BindingRequest).where(BindingRequest.member_id == ctx.member.id, BindingRequest.status == "pending")
    ):
        old.status = "withdrawn"
        ctx.session.add(old)
    request = BindingRequest(
        community_id=ctx.community.id, member_id=ctx.member.id, household_id=household.id,
        chat_id=ctx.chat.id, created_at=ctx.now,
    )
    ctx.session.add(request)
    ctx.session.flush()
    building = ctx.session.get(Building, household.building_id)
    leaders = [m for m in community_repo.leaders_of_building(ctx.session, building=building) if m.id != ctx.member.id]
    nearest = [m.id for m in leaders if m.role == leaders[0].role] if leaders else []
    ctx.reply(f"已收到绑定 {code} 的申请（编号 {request.id}），等待楼栋长审核。")
    if nearest:
        ctx.send(
            ctx.chat,
            f"请审核：{ctx.member.display_name} 申请绑定 {code}（编号 {request.id}）。"
            f"也可发送 #批准绑定 {request.id} 或 #驳回绑定 {request.id} 原因",
            mentions=tuple(nearest),
            choices=(Choice("批准", f"binding.approve:{request.id}"), Choice("驳回", f"binding.reject:{request.id}")),
            broadcast=False,
        )


@router.command(
    "批准绑定",
    summary="批准住户的门牌绑定申请",
    usage="#批准绑定 申请编号",
    example="#批准绑定 5",
    roles=LEADERS,
)
def approve(ctx: Context) -> None:
    """Approve a binding request by its number."""
    _decide(ctx, _request_number(ctx), approve=True, reason=None)


@router.command(
    "驳回绑定",
    summary="驳回门牌绑定申请并说明原因",
    usage="#驳回绑定 申请编号 原因",
    example="#驳回绑定 5 该户登记的住户不是您",
    roles=LEADERS,
)
def reject(ctx: Context) -> None:
    """Reject a binding request by its number, with a reason the resident sees."""
    parts = ctx.args.split(maxsplit=1)
    reason = parts[1].strip() if len(parts) > 1 else ""
    if not reason:
        raise UsageError("请写明驳回的原因。")
    _decide(ctx, _request_number(ctx), approve=False, reason=reason[:200])


@router.action("binding.approve")
def approve_button(ctx: Context, request_id: str) -> None:
    _decide(ctx, _as_number(request_id), approve=True, reason=None)


@router.action("binding.reject")
def reject_button(ctx: Context, request_id: str) -> None:
    _decide(ctx, _as_number(request_id), approve=False, reason="楼栋长未通过")


@router.command(
    "待审核",
    summary="查看您负责范围内待审核的绑定申请",
    usage="#待审核",
    example="#待审核",
    roles=LEADERS,
)
def pending(ctx: Context) -> None:
    """List pending binding requests the sender may decide."""
    rows = ctx.session.exec(
        select(BindingRequest, Household, Member)
        .join(Household, Household.id == BindingRequest.household_id)
        .join(Member, Member.id == BindingRequest.member_id)
        .where(BindingRequest.community_id == ctx.community.id, BindingRequest.status == "pending")
        .order_by(BindingRequest.id)
    ).all()
    mine = [
        (r, h, m) for r, h, m in rows
        if community_repo.may_manage_building(ctx.member, ctx.session.get(Building, h.building_id))
    ]
    if not mine:
        ctx.reply("目前没有待审核的绑定申请。")
        return
    lines = [f"待审核的绑定申请（{len(mine)}）："]
    lines += [f"{r.id}. {m.display_name} → {h.code}" for r, h, m in mine[:30]]
    lines.append("发送 #批准绑定 编号 或 #驳回绑定 编号 原因")
    # Buttons too, so a leader can decide from whichever chat and platform they are in.
    choices = tuple(Choice(f"批准 {r.id}（{h.code}）", f"binding.approve:{r.id}") for r, h, _m in mine[:8])
    ctx.reply("\n".join(lines), choices=choices)


@router.command(
    "我的信息",
    aliases=("me",),
    summary="查看您的身份和绑定的门牌",
    usage="#我的信息",
    example="#我的信息",
)
def whoami(ctx: Context) -> None:
    """Show the sender's role, scope and household."""
    member = ctx.member
    lines = [f"{member.display_name}：{ROLE_LABELS[member.role]}"]
    if member.building_id:
        lines.append(f"负责楼栋：{ctx.session.get(Building, member.building_id).number} 栋")
    if member.grid_id:
        lines.append(f"负责网格：{ctx.session.get(Grid, member.grid_id).name}")
    if member.household_id:
        lines.append(f"门牌：{ctx.session.get(Household, member.household_id).code}")
    else:
        waiting = ctx.session.exec(
            select(BindingRequest).where(BindingRequest.member_id == member.id, BindingRequest.status == "pending")
        ).first()
        lines.append("门牌：审核中" if waiting else "门牌：未绑定（发送 #绑定 3-2-301 登记）")
    ctx.reply("\n".join(lines))


@router.on("chat.members_joined")
def welcome(ctx: Context, members: tuple[tuple[str, str], ...]) -> None:
    """Greet people who join a chat and tell them how to bind their household."""
    names = "、".join(name for _, name in members[:10]) or "新邻居"
    ctx.reply(
        f"欢迎 {names} 加入{ctx.chat.name}！请发送“#绑定 楼栋-单元-门牌”（如 #绑定 3-2-301）登记您家，"
        "发送 #帮助 查看更多。"
    )


def _request_number(ctx: Context) -> int:
    argv = ctx.argv
    if not argv:
        raise UsageError("请写明申请编号。")
    return _as_number(argv[0])


def _as_number(text: str) -> int:
    number = record_number(text)
    if number is None:
        raise UsageError(f"“{text}”不是申请编号。")
    return number


def _decide(ctx: Context, request_id: int, *, approve: bool, reason: str | None) -> None:
    request = ctx.session.get(BindingRequest, request_id)
    if request is None or request.community_id != ctx.community.id:
        raise NotFound(f"没有编号为 {request_id} 的绑定申请。")
    household = ctx.session.get(Household, request.household_id)
    building = ctx.session.get(Building, household.building_id)
    if not community_repo.may_manage_building(ctx.member, building):
        raise Forbidden(f"只有 {building.number} 栋的楼栋长、所属网格长或社区工作者可以审核这个申请。")
    if request.member_id == ctx.member.id:
        raise Forbidden("不能审核自己的申请，请其他负责人审核。")
    if request.status != "pending":
        raise UserError(f"申请 {request_id} 已处理过了（{_STATUS[request.status]}）。")
    request.status = "approved" if approve else "rejected"
    request.decided_by_id, request.decided_at, request.reason = ctx.member.id, ctx.now, reason
    ctx.session.add(request)
    applicant = ctx.session.get(Member, request.member_id)
    if approve:
        applicant.household_id = household.id
        ctx.session.add(applicant)
        text = f"已批准：{applicant.display_name} 绑定 {household.code}。"
    else:
        text = f"已驳回 {applicant.display_name} 绑定 {household.code} 的申请。原因：{reason}"
    origin = ctx.session.get(Chat, request.chat_id) if request.chat_id else None
    if origin is not None and origin.id != ctx.chat.id:
        ctx.send(origin, text, mentions=(applicant.id,), broadcast=False)
        ctx.reply(text)
    else:
        ctx.reply(text, mentions=(applicant.id,))


_STATUS = {"approved": "已批准", "rejected": "已驳回", "withdrawn": "已撤回", "pending": "待审核"}


@router.table("households", "住户名册")
def households_table(session, *, refs, tz):
    """Households with their floor areas and bound members."""
    members: dict[int, list[str]] = {}
    for m in session.exec(select(Member).where(Member.household_id.is_not(None))):
        members.setdefault(m.household_id, []).append(m.display_name)
    rows = [
        [h.code, session.get(Building, h.building_id).number, h.unit, h.room, h.area_m2, "、".join(members.get(h.id, []))]
        for h in session.exec(select(Household).order_by(Household.id))
    ]
    return ["门牌", "楼栋", "单元", "房号", "面积(㎡)", "住户"], rows
