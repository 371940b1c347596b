"""The money that follows a decision: #收费 opens a collection, leaders record #缴费, all see #缴费进度.

Progress is public by door number only, never by name (公开透明 without exposing anyone).
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from bot.commands import normalize
from bot.context import Context
from bot.errors import Forbidden, NotFound, UsageError, UserError
from bot.router import LEADERS
from handlers.polls import render
from handlers.polls.feature import router
from handlers.polls.scope import all_buildings, check_may_cover, poll_scope
from handlers.polls.voting import poll_by_number
from handlers.roster import read_household_code
from storage.models import Building, FeeCollection, Household, Poll
from storage.repo import community as community_repo
from storage.repo import polls as polls_repo

AMOUNT = re.compile(r"每户\s*([0-9]+(?:\.[0-9]{1,2})?)\s*元")
MAX_FEN = 10_000_000


def yuan(fen: int) -> str:
    return f"{fen // 100}" if fen % 100 == 0 else f"{fen / 100:.2f}"


@router.command(
    "收费", aliases=("collect",), roles=LEADERS,
    summary="表决通过后，按户登记收费",
    usage="#收费 表决编号 每户N元 [项目名称]",
    example="#收费 7 每户50元 安装监控",
)
def open_collection(ctx: Context) -> None:
    """Open a per-household collection for a passed decision."""
    argv = ctx.argv
    amount = AMOUNT.search(normalize(ctx.args))
    if not argv or amount is None:
        raise UsageError("请写明表决编号和每户金额。")
    poll = poll_by_number(ctx, argv[0])
    if poll.outcome != "passed":
        state = "还在投票中" if poll.status == "open" else "没有通过"
        raise UserError(f"{render.title(poll)} {state}。只有通过的表决才能发起收费。")
    buildings = polls_repo.scope_buildings(ctx.session, poll_id=poll.id)
    check_may_cover(ctx, buildings, all_buildings(ctx.session, ctx.community.id))
    if polls_repo.collection_of(ctx.session, poll_id=poll.id) is not None:
        raise UserError(f"#{poll.id} 已经在收费了，发 #缴费进度 {poll.id} 查看。")
    try:
        fen = int(Decimal(amount.group(1)) * 100)
    except InvalidOperation:
        raise UsageError("金额没看懂。") from None
    if not 0 < fen <= MAX_FEN:
        raise UsageError("每户金额要大于 0 元、不超过 10 万元。")
    rest = normalize(ctx.args)
    rest = AMOUNT.sub("", rest.replace(argv[0], "", 1)).strip()
    title = rest[:100] or poll.question[:100]
    ctx.session.add(FeeCollection(poll_id=poll.id, title=title, amount_fen=fen, opened_by_id=ctx.member.id,
                                  opened_at=ctx.now))
    households = polls_repo.scope_households(ctx.session, poll_id=poll.id)
    text = (f"【收费 #{poll.id}】{title}：每户 {yuan(fen)} 元，共 {len(households)} 户"
            f"（{poll_scope(ctx.session, poll)}，依据{render.title(poll)}）。\n"
            f"楼栋长收款后发“#缴费 门牌”登记（如 #缴费 {households[0].code if households else '3-2-301'}），"
            f"大家可发“#缴费进度 {poll.id}”查看。")
    chats = polls_repo.poll_chats(ctx.session, poll_id=poll.id)
    for chat in chats:
        if chat.id == ctx.chat.id:
            ctx.reply(text)
        else:
            ctx.send(chat, text)
    if ctx.chat.id not in {c.id for c in chats}:
        ctx.reply(text)


@router.command(
    "缴费", aliases=("paid",), roles=LEADERS,
    summary="登记某户已缴费（楼栋长登记本楼）",
    usage="#缴费 门牌 [门牌…] [#收费编号]",
    example="#缴费 3-2-301",
)
def record(ctx: Context) -> None:
    """Record that households paid; each household is recorded once."""
    numbers = [t for t in ctx.argv if t.startswith("#") or t.isdigit()]
    codes = [t for t in ctx.argv if t not in numbers]
    if not codes or len(numbers) > 1:
        raise UsageError("请写明门牌。")
    households = []
    for text in codes:
        code = read_household_code(text)
        household = community_repo.household_by_code(ctx.session, community_id=ctx.community.id, code=code) \
            if code else None
        if household is None:
            raise NotFound(f"名册里没有门牌 {text}。")
        building = ctx.session.get(Building, household.building_id)
        if not community_repo.may_manage_building(ctx.member, building):
            raise Forbidden(f"只有 {building.number} 栋的楼栋长、所属网格长或社区工作者可以登记 {household.code} 的缴费。")
        households.append(household)
    collection, poll = _collection_for(ctx, numbers[0] if numbers else None, households)
    inside = {b.id for b in polls_repo.scope_buildings(ctx.session, poll_id=poll.id)}
    recorded, before = [], []
    for household in households:
        if household.building_id not in inside:
            raise UserError(f"{household.code} 不在 #{poll.id} 的收费范围内。")
        fresh = polls_repo.record_payment(ctx.session, collection_id=collection.id, household_id=household.id,
                                          member_id=ctx.member.id, now=ctx.now)
        (recorded if fresh else before).append(household.code)
    paid, total = _progress(ctx, collection, poll)
    lines = []
    if recorded:
        lines.append(f"已登记缴费：{'、'.join(recorded)}（每户 {yuan(collection.amount_fen)} 元）。")
    if before:
        lines.append(f"之前已登记过：{'、'.join(before)}。")
    lines.append(f"#{poll.id} {collection.title}：已缴 {paid}/{total} 户。")
    ctx.reply("\n".join(lines))


@router.command(
    "缴费进度", aliases=("fees",),
    summary="查看收费进度（按门牌公示，不显示姓名）",
    usage="#缴费进度 [收费编号]",
    example="#缴费进度 7",
)
def progress(ctx: Context) -> None:
    """Paid households by door number, per building, and the totals."""
    argv = ctx.argv
    collection, poll = _collection_for(ctx, argv[0] if argv else None, [])
    buildings = polls_repo.scope_buildings(ctx.session, poll_id=poll.id)
    households = polls_repo.scope_households(ctx.session, poll_id=poll.id)
    paid = polls_repo.paid_households(ctx.session, collection_id=collection.id)
    done = [h for h in households if h.id in paid]
    share = render.percent(Fraction(len(done), len(households))) if households else "0%"
    lines = [f"【缴费进度 #{poll.id}】{collection.title}：已缴 {len(done)}/{len(households)} 户（{share}），"
             f"共 {yuan(len(done) * collection.amount_fen)} 元"]
    for building in buildings:
        mine = [h for h in households if h.building_id == building.id]
        codes = [h.code for h in mine if h.id in paid]
        lines.append(f"{building.number}栋 已缴 {len(codes)}/{len(mine)} 户" + (f"：{'、'.join(codes)}" if codes else ""))
    ctx.reply("\n".join(lines))


def _progress(ctx: Context, collection: FeeCollection, poll: Poll) -> tuple[int, int]:
    households = polls_repo.scope_households(ctx.session, poll_id=poll.id)
    paid = polls_repo.paid_households(ctx.session, collection_id=collection.id)
    return sum(1 for h in households if h.id in paid), len(households)


def _collection_for(ctx: Context, number: str | None, households: list[Household]) -> tuple[FeeCollection, Poll]:
    """The collection named, else the only one that fits (covering those households, or posted here)."""
    if number is not None:
        poll = poll_by_number(ctx, number)
        collection = polls_repo.collection_of(ctx.session, poll_id=poll.id)
        if collection is None:
            raise NotFound(f"#{poll.id} 没有在收费。")
        return collection, poll
    found = []
    for collection in polls_repo.open_collections(ctx.session, community_id=ctx.community.id):
        poll = ctx.session.get(Poll, collection.poll_id)
        inside = {b.id for b in polls_repo.scope_buildings(ctx.session, poll_id=poll.id)}
        if all(h.building_id in inside for h in households):
            found.append((collection, poll))
    if not found:
        raise NotFound("现在没有进行中的收费。" if not households else "没有包含这些门牌的收费。")
    if len(found) > 1 and households:
        raise UsageError(f"有 {len(found)} 项收费，请写编号，如 #缴费 {households[0].code} #{found[0][1].id}。")
    if len(found) > 1:
        here = [(c, p) for c, p in found
                if ctx.chat.id in {chat.id for chat in polls_repo.poll_chats(ctx.session, poll_id=p.id)}]
        found = here or found
    return found[0]
