"""Leaders award points (#积分 @张三 +5 大扫除), correct them (#撤销积分), and events earn them automatically."""
from __future__ import annotations

import re

from bot.commands import record_number
from bot.context import Context
from bot.errors import NotFound, UsageError
from bot.router import LEADERS
from storage.models import Member
from storage.repo import points as repo

from .feature import config, router
from .ledger import award, find_rule, hours_of, require_authority, reverse, rule_amount

MENTION = re.compile(r"[@＠]\S+")
AMOUNT = re.compile(r"^[+＋](\d+)分?$|^(\d+)分$")


@router.command(
    "积分", aliases=("points",), roles=LEADERS,
    summary="给居民记积分（楼栋长本楼、网格长本网格、社区工作者全社区）",
    usage="#积分 @某人 [+分数] 规则 [时长] [说明]",
    example="#积分 @张阿姨 +5 大扫除",
)
def give(ctx: Context) -> None:
    """Award points to each @mentioned member under a rule of the table."""
    people = ctx.mentioned_members()
    words = MENTION.sub(" ", ctx.args).split()
    if not people:
        raise UsageError("请 @ 要记积分的人。")
    amount, hours, rest = None, None, []
    for word in words:
        match = AMOUNT.match(word)
        if match and amount is None:
            amount = int(match.group(1) or match.group(2))
        elif word.startswith(("-", "－")):
            raise UsageError("积分只能加；记错了请用 #撤销积分 记录编号。")
        elif hours is None and hours_of(word) is not None:
            hours = hours_of(word)
        else:
            rest.append(word)
    if not rest:
        raise UsageError("请写积分规则，如 大扫除。")
    rule = find_rule(config(ctx), rest[0])
    quantity, by_rule = rule_amount(rule, hours)
    if amount is None:
        amount = by_rule
    elif amount <= 0 or amount > by_rule:
        raise UsageError(f"按规则“{rule.name}”，这次最多记 {by_rule} 分。")
    reason = " ".join(rest[1:]) or rule.name
    lines = []
    for person in people:
        require_authority(ctx, person, "记")
        entry = award(ctx, member=person, rule=rule, amount=amount, reason=reason, approved_by=ctx.member)
        total = repo.balance(ctx.session, member_id=person.id)
        lines.append(f"已给 {person.display_name} 记 +{entry.amount} 分（{rule.name}，记录 #{entry.id}），现有 {total} 分。")
    ctx.reply("\n".join(lines), mentions=tuple(p.id for p in people))


@router.command(
    "撤销积分", aliases=("revertpoints",), roles=LEADERS,
    summary="撤销一条记错的积分（记一笔相反的更正，原记录保留）",
    usage="#撤销积分 记录编号 原因",
    example="#撤销积分 12 重复记了",
)
def undo(ctx: Context) -> None:
    """Reverse a ledger entry by a leader over that member (not their own)."""
    argv = ctx.argv
    number = record_number(argv[0]) if argv else None
    if number is None:
        raise UsageError()
    entry = repo.entry_in(ctx.session, community_id=ctx.community.id, entry_id=number)
    if entry is None:
        raise NotFound(f"没有积分记录 #{number}。")
    target = ctx.session.get(Member, entry.member_id)
    require_authority(ctx, target, "撤销")
    parts = ctx.args.split(maxsplit=1)
    reason = parts[1].strip() if len(parts) > 1 else ""
    if not reason:
        raise UsageError("请写撤销的原因。")
    correction = reverse(ctx, entry=entry, reason=reason)
    total = repo.balance(ctx.session, member_id=target.id)
    ctx.reply(f"已撤销积分记录 #{entry.id}（{target.display_name} {correction.amount:+d} 分，更正记录 #{correction.id}），"
              f"现有 {total} 分。")


# -- automatic points, once per source event ------------------------------------------------


def _automatic(ctx: Context, rule_name: str | None, member_id: int, source: str, reason: str) -> None:
    if rule_name is None:
        return
    member = ctx.session.get(Member, member_id)
    if member is None or member.community_id != ctx.community.id:
        return
    rule = config(ctx).rule(rule_name)
    award(ctx, member=member, rule=rule, amount=rule.points, reason=reason, approved_by=None, source=source, clip=True)


@router.on("checkin.recorded")
def for_checkin(ctx: Context, checkin_id: int, member_id: int, reminder_id: int) -> None:
    """A clean-up check-in earns the check-in rule."""
    _automatic(ctx, config(ctx).checkin_rule, member_id, f"checkin:{checkin_id}", "签到")


@router.on("ticket.accepted")
def for_ticket(ctx: Context, ticket_id: int, reporter_id: int, by_id: int) -> None:
    """An accepted report earns its reporter points (not when they accepted it themselves)."""
    if reporter_id == by_id:
        return
    _automatic(ctx, config(ctx).ticket_rule, reporter_id, f"ticket:{ticket_id}", "报事被受理")


@router.on("poll.voted")
def for_vote(ctx: Context, poll_id: int, member_id: int) -> None:
    """A first vote in a poll earns the vote rule."""
    _automatic(ctx, config(ctx).vote_rule, member_id, f"poll:{poll_id}:{member_id}", f"投票 #{poll_id}")


