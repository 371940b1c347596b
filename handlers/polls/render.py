"""Poll texts: the post, results with bars, turnout lines, the Art. 278 thresholds, the chart."""
from __future__ import annotations

import logging
from datetime import datetime
from fractions import Fraction
from pathlib import Path

from bot.charts import Bar, bar_chart
from bot.when import OneShot
from handlers.polls import civil_code
from handlers.polls.tally import Tally
from storage.models import Poll, PollKind

log = logging.getLogger(__name__)

BAR_WIDTH = 10
KIND_LABELS = {PollKind.quick: "投票", PollKind.household: "户投票", PollKind.formal: "表决"}
MAX_NAMES = 20


def title(poll: Poll) -> str:
    """【投票 #3】外墙刷什么颜色？"""
    return f"【{KIND_LABELS[poll.kind]} #{poll.id}】{poll.question}"


def when(moment: datetime, tz) -> str:
    """2026年11月27日(周五) 18:00"""
    return OneShot(moment.astimezone(tz)).describe()


def percent(share: Fraction) -> str:
    value = float(share) * 100
    return f"{value:.0f}%" if abs(value - round(value)) < 0.05 else f"{value:.1f}%"


def bar(share: Fraction) -> str:
    filled = round(share * BAR_WIDTH)
    return "█" * filled + "░" * (BAR_WIDTH - filled)


def m2(area: Fraction) -> str:
    """An area to at most two decimals, with ≈ when that rounds."""
    shown = f"{float(area):.2f}".rstrip("0").rstrip(".")
    return shown if Fraction(shown) == area else f"≈{shown}"


def how_to_vote(poll: Poll) -> str:
    """The rules line of a post."""
    if poll.kind == PollKind.quick:
        who = "每人一票"
    else:
        who = "每户一票，家里任何一位已绑定门牌的成员都可以投或改投"
    if poll.max_choices > 1:
        limit = f"最多选 {poll.max_choices} 项" if poll.max_choices < len(poll.options) else "不限项数"
        who += f"，可多选（{limit}，再选一次同一项可取消）"
    extra = ["实名公布" if poll.named else "匿名计票"]
    if poll.hide_results:
        extra.append("截止后公布结果")
    return f"{who}；截止前可改投；{'，'.join(extra)}"


def results_text(tally: Tally, *, final: bool, scope: str) -> str:
    """The result (or the interim count) with a bar per option and turnout per building."""
    poll = tally.poll
    head = title(poll).replace("】", " 结果】" if final else " 目前】", 1)
    lines = [head + (f"（{'特别' if poll.special else '一般'}事项）" if poll.kind == PollKind.formal else "")]
    if poll.kind == PollKind.formal:
        lines += _formal_lines(tally)
    else:
        lines += _option_lines(tally)
    lines.append(turnout_line(tally, scope))
    lines += building_lines(tally)
    return "\n".join(lines)


def turnout_line(tally: Tally, scope: str) -> str:
    households = f"参与 {tally.households_voted}/{tally.households_eligible} 户（{percent(tally.rate)}，范围：{scope}）"
    if tally.poll.kind != PollKind.quick:
        return f"{households}，由 {tally.voters} 位住户投出"
    line = f"共 {tally.voters} 人投票，{households}"
    if tally.unbound:
        line += f"；其中 {tally.unbound} 人未绑定门牌"
    return line


def building_lines(tally: Tally, *, mark_below: bool = False) -> list[str]:
    """各楼参与 lines; with ``mark_below`` buildings under the average get an arrow."""
    if len(tally.buildings) <= 1 and not mark_below:
        return []
    parts = []
    for t in tally.buildings:
        text = f"{t.building.number}栋 {t.voted}/{t.eligible} 户（{percent(t.rate)}）"
        if mark_below and t.eligible and t.rate < tally.rate:
            text += " ↓"
        parts.append(text)
    if mark_below:
        return parts
    return ["各楼参与：" + " · ".join(parts)]


def _option_lines(tally: Tally) -> list[str]:
    lines = []
    total = tally.ballots
    for n, (label, votes, names) in enumerate(zip(tally.poll.options, tally.counts, tally.names), start=1):
        share = Fraction(votes, total) if total else Fraction(0)
        lines.append(f"{n}. {label} {bar(share)} {votes} 票（{percent(share)}）")
        if tally.poll.named and names:
            more = f" 等 {len(names)} 人" if len(names) > MAX_NAMES else ""
            lines.append("   " + "、".join(names[:MAX_NAMES]) + more)
    if total:
        best = max(tally.counts)
        leaders = [label for label, votes in zip(tally.poll.options, tally.counts) if votes == best]
        lines.append(("票数最多：" if len(leaders) == 1 else "并列最多：") + "、".join(leaders))
    return lines


def _formal_lines(tally: Tally) -> list[str]:
    decision = tally.decision
    total = tally.households_voted
    lines = []
    for label, owners, area, names in zip(tally.poll.options, tally.counts, tally.areas, tally.names):
        share = Fraction(owners, total) if total else Fraction(0)
        lines.append(f"{label} {bar(share)} {owners} 户 · {m2(area)} ㎡")
        if tally.poll.named and names:
            lines.append("   " + "、".join(names[:MAX_NAMES]) + (f" 等 {len(names)} 户" if len(names) > MAX_NAMES else ""))
    lines.append(f"可参与表决：{tally.households_eligible} 户，专有面积 {m2(tally.area_eligible)} ㎡")
    if tally.no_area:
        lines.append(f"另有 {len(tally.no_area)} 户名册里没有面积，未计入（{_codes(tally.no_area)}）")
    lines.append("参与表决（都须 ≥ 2/3）：")
    lines += [threshold_line(t) for t in decision.turnout]
    lines.append("同意（都须 " + ("≥ 3/4" if decision.special else "> 1/2") + " 参与表决的）：")
    lines += [threshold_line(t) for t in decision.approval]
    lines.append("结论：" + verdict(decision))
    return lines


def threshold_line(t: civil_code.Threshold) -> str:
    """✓ 参与表决的专有面积 700/1043 ㎡（67.1%），需 ≥ 2/3 ≈695.33 ㎡"""
    area = "面积" in t.label
    unit = " ㎡" if area else " 户"
    part, whole = (m2(t.part), m2(t.whole)) if area else (str(int(t.part)), str(int(t.whole)))
    share = t.part / t.whole if t.whole else Fraction(0)
    sign = ">" if t.strict else "≥"
    ratio = f"{t.ratio.numerator}/{t.ratio.denominator}"
    need = f"{m2(t.needed)}{unit}" if area else f"至少 {t.needed_count}{unit}"
    return f"{'✓' if t.met else '✗'} {t.label} {part}/{whole}{unit}（{percent(share)}），需 {sign} {ratio}：{need}"


def verdict(decision: civil_code.Decision) -> str:
    if decision.passed:
        return "通过 ✅"
    if not decision.quorate:
        return "未通过：参与表决的面积或户数不足三分之二"
    return "未通过：同意的面积或户数" + ("不足四分之三" if decision.special else "未过半")


def _codes(households, limit: int = 10) -> str:
    codes = [h.code for h in households]
    return "、".join(codes[:limit]) + (f" 等 {len(codes)} 户" if len(codes) > limit else "")


def chart(tally: Tally, directory: Path) -> str | None:
    """The result as a bar chart PNG; None (logged) if drawing fails, the text still goes out."""
    poll = tally.poll
    if poll.kind == PollKind.formal:
        bars = [Bar(label, owners, f"{owners} 户 · {m2(area)} ㎡")
                for label, owners, area in zip(poll.options, tally.counts, tally.areas)]
    else:
        total = tally.ballots
        bars = [Bar(label, votes, f"{votes} 票 {percent(Fraction(votes, total) if total else Fraction(0))}")
                for label, votes in zip(poll.options, tally.counts)]
    subtitle = f"共 {tally.voters} 人投票 · 参与 {tally.households_voted}/{tally.households_eligible} 户"
    if tally.decision is not None:
        subtitle += " · " + ("通过" if tally.decision.passed else "未通过")
    try:
        path = bar_chart(directory / f"poll-{poll.id}.png", title=f"{KIND_LABELS[poll.kind]} #{poll.id} {poll.question}",
                         bars=bars, subtitle=subtitle)
    except Exception:
        log.exception("could not draw the chart of poll %s", poll.id)
        return None
    return str(path)
