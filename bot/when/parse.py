"""The rules on top of jionlp: recurrence heads, rolling forward, blur defaults, splitting."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time, timedelta
from typing import Any

from . import jio
from .schedule import OneShot, Recurring, WEEKDAY_NAMES, WhenError

EXAMPLE_PARSE = "例如：明天下午3点、周五18:00、每周六早上8点"
EXAMPLE_SPLIT = "例如：每周六早上8点 卫生大扫除"
_SEPS = " \t\r\n\u3000,，.。:：;；、!！?？-—~～"
_NOT_A_DAY = set("楼栋院门单房室号")  # 8号楼, 3号门: addresses, not the 8th
_DAYPART = re.compile(r"[早晨午晚夜凌宵]")
_ALIASES = {"明早": "明天早上", "明晨": "明天早上", "今早": "今天早上", "明晚": "明天晚上",
            "今晚": "今天晚上", "每晚": "每天晚上", "每早": "每天早上"}
# jionlp's blur ranges (start hour, end hour) -> the time we fire at
_BLUR = {(6, 9): time(8), (7, 11): time(9), (12, 13): time(12), (13, 17): time(15),
         (17, 18): time(18), (18, 23): time(19), (20, 23): time(20), (5, 7): time(6)}

_WD = r"(?:[一二三四五六日天](?![点时:])|[1-7](?![\d点时:.]))"  # not the hour in 每周一3点
_WEEK = r"(?:周|星期|礼拜)"
_NUM = r"[0-9零〇一二两三四五六七八九十]{1,3}"
_HEADS = [
    ("workdays", re.compile(r"(?:每个?)?工作日")),
    ("weekend", re.compile(r"每个?周末")),
    ("range", re.compile(rf"每个?{_WEEK}(?P<a>{_WD})(?:至|到|-|~){_WEEK}?(?P<b>{_WD})")),
    ("weekly", re.compile(rf"每个?{_WEEK}(?P<days>{_WD}(?:[、,和及与]?{_WEEK}?{_WD})*)")),
    ("monthly", re.compile(rf"每个?月的?(?P<day>{_NUM})[号日]")),
    ("interval", re.compile(rf"每(?P<gap>隔)?(?P<n>{_NUM})个?天")),
    ("daily", re.compile(r"每[天日]|天天")),
]
# full-width ASCII -> ASCII, control chars -> space; keeps offsets valid for the original
_WIDTH = {**{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}, 0x3000: 0x20,
          **{c: 0x20 for c in (*range(0x20), 0x7F)}}


def parse_when(text: str, *, now: datetime, default_time: time = time(9, 0)) -> OneShot | Recurring:
    """Parse a text that is only a time expression (e.g. a poll deadline)."""
    when, rest, body = _split(text, now, default_time, whole=True)
    if rest:
        raise WhenError(f"没看懂时间“{_snippet(body)}”。{EXAMPLE_PARSE}")
    return when


def split_when(text: str, *, now: datetime,
               default_time: time = time(9, 0)) -> tuple[OneShot | Recurring, str]:
    """Split "<time expression> <message>" into the schedule and the message."""
    when, rest, _ = _split(text, now, default_time, whole=False)
    if not rest:
        raise WhenError(f"提醒内容不能为空，请在时间后面写上要提醒的事。{EXAMPLE_SPLIT}")
    return when, rest


def _first_entity(s: str, base: datetime) -> int | None:
    """End offset of the time expression at the very start of ``s``.

    jionlp sees one whitespace-separated chunk at a time: across spaces it glues on message
    words ("明天下午3点 8号楼" -> "…3点 8"; "… 每周" -> a period). A second chunk joins
    only if it is a time of day ("明天 下午3点", "每周六 8:00")."""
    head = re.match(r"\S+", s)
    end = _entity_end(head[0], base) if head else None
    if end is None or end < len(head[0]):
        return end
    gap = re.match(r"\s+\S+", s[end:])
    if gap:
        more = _entity_end(gap[0].lstrip(), base)
        if more and _clock(gap[0].lstrip()[:more], base) is not None:
            end += len(gap[0]) - len(gap[0].lstrip()) + more
    return end


def _entity_end(s: str, base: datetime) -> int | None:
    ents = jio.extract(s, base)
    try:
        start, end = ents[0]["offset"] if ents else (None, None)
    except (KeyError, TypeError, ValueError):
        return None
    if start != 0 or not end or (s[end - 1] == "号" and s[end:end + 1] in _NOT_A_DAY):
        return None
    return int(end)


def _resolve(res: dict[str, Any] | None, span: str, default_time: time,
             dates: bool = True) -> datetime | None:
    """Naive local datetime for a jionlp time_point, applying our blur/date/PM rules;
    with ``dates=False`` a bare date (no time of day) gives None."""
    if not res or res.get("type") != "time_point":
        return None
    try:
        start, end = (datetime.fromisoformat(x) for x in res["time"])
    except (TypeError, ValueError):
        return None  # open-ended ('inf') or missing
    width = end - start
    if width >= timedelta(hours=23, minutes=59):
        if width >= timedelta(days=1) or start.time() != time(0) or not dates:
            return None  # 下周, 12月: too vague to fire
        return datetime.combine(start.date(), default_time)
    if res.get("definition") == "blur":
        t = _BLUR.get((start.hour, end.hour))
        if t is None:
            t = default_time if start.time() <= default_time <= end.time() else start.time()
        return datetime.combine(start.date(), t)
    if 1 <= start.hour <= 6 and "点" in span and not _DAYPART.search(span):
        start += timedelta(hours=12)
    return start


def _clock(s: str, base: datetime, default_time: time = time(9, 0)) -> time | None:
    """Time of day if ``s`` is only that (下午3点, 8:00, 晚上), else None."""
    at = _resolve(jio.parse(s, base), s, default_time, dates=False)
    if at is None or not (at.date() == base.date()
                          or (at.date() == base.date() + timedelta(days=1) and at.hour == 0)):
        return None  # only 晚上12点 may spill into tomorrow
    # only a time of day moves with the base day; 周六早上8点 or 11月21日9点 stay put
    day = timedelta(days=1)
    if _resolve(jio.parse(s, base + day), s, default_time, dates=False) != at + day:
        return None
    return at.time().replace(second=0, microsecond=0)


def _number(s: str) -> int:
    import cn2an

    return int(cn2an.cn2an(s, "smart"))


def _recurring(kind: str, m: re.Match[str], at: time, now: datetime) -> Recurring:
    if kind == "workdays":
        return Recurring("weekly", at, weekdays=(0, 1, 2, 3, 4))
    if kind == "weekend":
        return Recurring("weekly", at, weekdays=(5, 6))
    if kind in ("weekly", "range"):
        idx = {c: i for i, c in enumerate(WEEKDAY_NAMES)} | {"天": 6, "7": 6}
        idx |= {str(i + 1): i for i in range(6)}
        days = [idx[c] for c in re.findall(r"[一二三四五六日天1-7]", m["days"] or "")] \
            if kind == "weekly" else list(range(idx[m["a"]], idx[m["b"]] + 1))
        days = sorted(set(days))
        if not days:
            raise ValueError("empty weekday range")
        return Recurring("daily", at) if len(days) == 7 else Recurring("weekly", at, tuple(days))
    if kind == "monthly":
        return Recurring("monthly", at, day=_number(m["day"]))
    if kind == "interval":
        n = _number(m["n"])
        n = 2 if (m["gap"] and n == 1) else n  # 每隔一天 = every other day
        if n == 1:
            return Recurring("daily", at)
        first = datetime.combine(now.date(), at, tzinfo=now.tzinfo)
        return Recurring("interval", at, every_days=n,
                         start=now.date() + timedelta(days=int(first <= now)))
    return Recurring("daily", at)


def _one_shot(span: str, now: datetime, default_time: time, example: str, shown: str) -> OneShot:
    base = now.replace(tzinfo=None)
    wrong = WhenError(f"没看懂时间“{_snippet(shown)}”。{example}")
    if span.startswith("每"):
        raise WhenError(f"暂不支持“{_snippet(span)}”这样的周期。可以写：每天、每周六、每周一三五、"
                        f"工作日、每月1号、每隔两天，后面可加具体时间。{example}")
    rel = re.fullmatch(r"(.+?)(?:之后|以后|后)", span)
    delta = jio.parse(rel[1], base) if rel else None
    if delta and delta.get("type") == "time_delta" and isinstance(delta.get("time"), dict):
        units = delta["time"]
        if set(units) <= {"hour", "minute", "second"}:
            return OneShot((now + timedelta(**{u + "s": float(v) for u, v in units.items()}))
                           .replace(microsecond=0))
        whole = {u: int(v) for u, v in units.items() if float(v).is_integer() and v > 0}
        if set(units) == set(whole) == {"day"}:
            day = now.date() + timedelta(days=whole["day"])
            return OneShot(datetime.combine(day, default_time, tzinfo=now.tzinfo))
        if set(units) == set(whole) and set(whole) <= {"month", "year"}:
            months = now.month - 1 + whole.get("month", 0) + 12 * whole.get("year", 0)
            y, m = now.year + months // 12, months % 12 + 1
            day = date(y, m, min(now.day, calendar.monthrange(y, m)[1]))  # 1月31日+1个月 = 2月28日
            return OneShot(datetime.combine(day, default_time, tzinfo=now.tzinfo))
    before = re.fullmatch(r"(.+?)(?:之前|以前|前)", span)  # 周五18:00前 = the deadline itself
    if before and _resolve(jio.parse(before[1], base), before[1], default_time):
        span = before[1]
    res = jio.parse(span, base)
    at0 = _resolve(res, span, default_time)
    if at0 is None:
        raise wrong
    at0 = at0.replace(tzinfo=now.tzinfo)
    if at0 > now:
        return OneShot(at0)
    # jionlp keeps past weekdays/clock times/dates; its ret_future rolls them forward but
    # also rolls 今天 and same-day full dates a year on, so only take plausible rolls
    if "今" not in span:
        clock = _clock(span, base, default_time)  # 8点, 晚上: only a time of day
        at1 = (datetime.combine(base.date() + timedelta(days=1), clock) if clock is not None
               else _resolve(jio.parse(span, base, future=True), span, default_time))
        if at1 is not None:
            at1 = at1.replace(tzinfo=now.tzinfo)
            if at1 > now and (at0.date() < now.date() or at1 - at0 <= timedelta(days=7)):
                return OneShot(at1)
    raise WhenError(f"“{_snippet(span)}”是{OneShot(at0).describe()}，已经过去了。{example}")


def _split(text: str, now: datetime, default_time: time,
           whole: bool) -> tuple[OneShot | Recurring, str, str]:
    """(schedule, message after it, text without leading separators)."""
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    example = EXAMPLE_PARSE if whole else EXAMPLE_SPLIT
    body = (text if isinstance(text, str) else "").lstrip(_SEPS)
    if not body.strip():
        raise WhenError(f"请写上时间。{example}")
    norm = body[:64].translate(_WIDTH)  # room for aliases, a head and its time of day
    shift = 0
    for short, full in _ALIASES.items():
        if norm.startswith(short):
            norm, shift = full + norm[len(short):], len(full) - len(short)
            break
    base = now.replace(tzinfo=None)
    when: OneShot | Recurring
    for kind, pattern in _HEADS:
        m = pattern.match(norm)
        if m:
            end = m.end()
            tail = re.compile(r"[\s的]*").match(norm, end).end()
            tail_end = _first_entity(norm[tail:], base)
            at = _clock(norm[tail:tail + tail_end], base, default_time) if tail_end else None
            if at is not None and tail_end:
                end = tail + tail_end
            try:
                when = _recurring(kind, m, default_time if at is None else at, now)
            except Exception:  # cn2an or an impossible day (每月45号): the user's input
                raise WhenError(f"没看懂时间“{_snippet(norm[:end])}”。{example}") from None
            break
    else:
        end = _first_entity(norm, base)
        shown = body if whole else body.split()[0]
        if not end:
            raise WhenError(f"没看懂时间“{_snippet(shown)}”。{example}")
        when = _one_shot(norm[:end], now, default_time, example, shown)
    rest = body[max(end - shift, 0):].lstrip(_SEPS).strip()
    return when, rest, body


def _snippet(s: str, limit: int = 20) -> str:
    s = re.sub(r"\s+", " ", s.translate(_WIDTH)).strip()
    return s if len(s) <= limit else s[:limit] + "…"


