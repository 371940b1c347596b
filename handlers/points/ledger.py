"""Writing to the ledger: rules, caps, who may award whom, reversals, and how people are shown."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.context import Context
from bot.errors import Forbidden, UsageError, UserError
from storage.models import Building, Household, Member, Role
from storage.models.points import PointEntry
from storage.repo import community as community_repo
from storage.repo import points as repo

from .feature import PointsConfig, RuleConfig, config

HOURS = re.compile(r"^(\d+(?:\.\d+)?|[一两二三四五六七八九十半]+)\s*个?(?:小时|钟头|h|H)$")
CHINESE_DIGITS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


class CapReached(UserError):
    """The award would pass a daily or weekly cap; ``left`` is what may still be given."""

    def __init__(self, message: str, left: int) -> None:
        super().__init__(message)
        self.left = left


def find_rule(cfg: PointsConfig, word: str) -> RuleConfig:
    """The rule a word names: its name, an alias, or a part of exactly one name; else the list of rules."""
    for rule in cfg.rules:
        if word == rule.name or word in rule.aliases:
            return rule
    partial = [r for r in cfg.rules if word and (word in r.name or r.name in word)]
    if len(partial) == 1:
        return partial[0]
    raise UsageError(f"没有“{word}”这条积分规则。现有规则：{rules_text(cfg)}")


def rules_text(cfg: PointsConfig) -> str:
    return "、".join(f"{r.name} +{r.points}" + ("/小时" if r.unit == "小时" else "") for r in cfg.rules)


def hours_of(word: str) -> float | None:
    """2小时 → 2, 半小时 → 0.5, 两个小时 → 2; None when the word is not a duration."""
    match = HOURS.match(word)
    if not match:
        return None
    text = match.group(1)
    if text[0].isdigit():
        return float(text)
    if text == "半":
        return 0.5
    if text.startswith("十"):
        return 10 + CHINESE_DIGITS.get(text[1:], 0)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return CHINESE_DIGITS.get(tens, 0) * 10 + CHINESE_DIGITS.get(ones, 0)
    return CHINESE_DIGITS.get(text) if len(text) == 1 else None


def rule_amount(rule: RuleConfig, hours: float | None) -> tuple[float, int]:
    """(quantity, points) for a rule: per time it is one; per hour it needs the hours."""
    if rule.unit == "小时":
        if not hours or hours <= 0 or hours > 24:
            raise UsageError(f"“{rule.name}”按小时计分，请写时长，如 2小时。")
        return hours, round(rule.points * hours)
    return 1, rule.points


# -- people ---------------------------------------------------------------------------------


def building_of(ctx: Context, member: Member) -> Building | None:
    """The building a member lives in (their household's), else the one they lead."""
    if member.household_id:
        household = ctx.session.get(Household, member.household_id)
        return ctx.session.get(Building, household.building_id)
    return ctx.session.get(Building, member.building_id) if member.building_id else None


def may_decide_for(ctx: Context, actor: Member, target: Member) -> bool:
    """Staff anywhere, grid leaders in their grid, building leaders in their building; never oneself."""
    if actor.id == target.id or actor.community_id != target.community_id:
        return False
    if actor.role == Role.staff:
        return True
    building = building_of(ctx, target)
    return building is not None and community_repo.may_manage_building(actor, building)


def require_authority(ctx: Context, target: Member, what: str) -> None:
    if ctx.member.id == target.id:
        raise Forbidden(f"不能给自己{what}积分，请楼栋长或网格长来办。")
    if not may_decide_for(ctx, ctx.member, target):
        raise Forbidden(f"只有{target.display_name}所在楼栋的楼栋长、网格长或社区工作者可以{what}积分。")


def public_name(name: str, hidden: bool, building: str | None) -> str:
    """How rankings show a member: name and building, or only "3栋居民" when they chose so."""
    if hidden:
        return f"{building}栋居民" if building else "居民"
    return f"{name}（{building}栋）" if building else name


# -- time windows ---------------------------------------------------------------------------


def day_start(ctx: Context, moment: datetime) -> datetime:
    local = ctx.local(moment)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def week_start(ctx: Context, moment: datetime) -> datetime:
    start = day_start(ctx, moment)
    return start - timedelta(days=start.weekday())


def quarter_start(ctx: Context, moment: datetime) -> datetime:
    start = day_start(ctx, moment)
    return start.replace(month=(start.month - 1) // 3 * 3 + 1, day=1)


# -- writing --------------------------------------------------------------------------------


def room_under_caps(ctx: Context, member_id: int, rule: RuleConfig) -> int | None:
    """How many points the member may still get from ``rule`` now; None when nothing caps it."""
    cfg = config(ctx)
    day, week = day_start(ctx, ctx.now), week_start(ctx, ctx.now)
    end = ctx.now + timedelta(seconds=1)
    rooms = []
    for cap, rule_name, start in ((rule.daily_cap, rule.name, day), (rule.weekly_cap, rule.name, week),
                                  (cfg.daily_cap, None, day), (cfg.weekly_cap, None, week)):
        if cap is not None:
            got = repo.earned_between(ctx.session, member_id=member_id, rule=rule_name, start=start, end=end)
            rooms.append(max(cap - got, 0))
    return min(rooms) if rooms else None


def award(ctx: Context, *, member: Member, rule: RuleConfig, amount: int, reason: str,
          approved_by: Member | None, source: str | None = None, clip: bool = False) -> PointEntry | None:
    """Append an earning entry under the caps, once per source.

    Leaders' awards and approvals are refused past a cap (``CapReached``); automatic ones
    (``clip``) get what room is left, or nothing.
    """
    repo.lock_member_balance(ctx.session, community_id=ctx.community.id, member_id=member.id)
    if source is not None and repo.source_seen(ctx.session, community_id=ctx.community.id, source=source):
        return None
    room = room_under_caps(ctx, member.id, rule)
    if room is not None and amount > room:
        if not clip:
            raise CapReached(f"{member.display_name}“{rule.name}”已到上限，现在最多还能记 {room} 分。", room)
        amount = room
    if amount <= 0:
        return None
    return repo.append(ctx.session, community_id=ctx.community.id, member_id=member.id, amount=amount,
                       rule=rule.name, reason=reason, approved_by_id=approved_by.id if approved_by else None,
                       at=ctx.now, source=source)


def reverse(ctx: Context, *, entry: PointEntry, reason: str) -> PointEntry:
    """Cancel an entry by appending its opposite; the original stays as it was."""
    if entry.reverses_id is not None:
        raise UserError(f"积分记录 #{entry.id} 本身就是一条更正，不能再撤销。")
    if entry.rule == repo.REDEEM_RULE:
        raise UserError(f"积分记录 #{entry.id} 是兑换扣分，不能撤销。")
    repo.lock_member_balance(ctx.session, community_id=entry.community_id, member_id=entry.member_id)
    if repo.reversal_of(ctx.session, entry_id=entry.id) is not None:
        raise UserError(f"积分记录 #{entry.id} 已经撤销过了。")
    return repo.append(ctx.session, community_id=entry.community_id, member_id=entry.member_id,
                       amount=-entry.amount, rule=entry.rule, reason=reason or "更正",
                       approved_by_id=ctx.member.id if ctx.member else None, at=ctx.now,
                       reverses_id=entry.id)
