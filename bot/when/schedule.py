"""The schedule values: what fires when, as APScheduler triggers and as JSON specs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import TYPE_CHECKING, Any, Literal

from bot.errors import UserError

if TYPE_CHECKING:
    from apscheduler.triggers.base import BaseTrigger

WEEKDAY_NAMES = "一二三四五六日"
_CRON_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class WhenError(UserError, ValueError):
    """A time the user wrote that we cannot use; str(e) is a Chinese reply with an example.

    Being a UserError, a handler can let it propagate: the dispatcher rolls back and replies.
    """


@dataclass(frozen=True)
class OneShot:
    """Fires once at ``at`` (tz-aware)."""

    at: datetime

    def __post_init__(self) -> None:
        if self.at.utcoffset() is None:
            raise ValueError("OneShot.at must be timezone-aware")

    def trigger(self, tz: tzinfo | str) -> BaseTrigger:
        """APScheduler DateTrigger for ``at``."""
        from apscheduler.triggers.date import DateTrigger

        return DateTrigger(run_date=self.at, timezone=tz)

    def next_fire_times(self, after: datetime, n: int = 3) -> list[datetime]:
        """Fire times strictly after ``after``, computed from the trigger."""
        return _fire_times(self.trigger(_tz_of(after)), after, n)

    def describe(self) -> str:
        """Chinese echo such as 2026年11月22日(周日) 15:00."""
        a = self.at
        return f"{a.year}年{a.month}月{a.day}日(周{WEEKDAY_NAMES[a.weekday()]}) {a:%H:%M}"

    def to_spec(self) -> dict[str, Any]:
        """JSON-safe form for storage."""
        spec: dict[str, Any] = {"kind": "once", "at": self.at.isoformat()}
        if getattr(self.at.tzinfo, "key", None):
            spec["tz"] = self.at.tzinfo.key  # type: ignore[union-attr]
        return spec

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> OneShot:
        """Inverse of to_spec."""
        when = from_spec(spec)
        if not isinstance(when, cls):
            raise ValueError(f"not a one-shot spec: {spec!r}")
        return when


@dataclass(frozen=True)
class Recurring:
    """Fires at ``at`` daily, weekly on ``weekdays`` (0 = Monday), monthly on ``day``, or
    every ``every_days`` days starting on ``start``."""

    kind: Literal["daily", "weekly", "monthly", "interval"]
    at: time
    weekdays: tuple[int, ...] = ()
    day: int | None = None
    every_days: int | None = None
    start: date | None = None

    def __post_init__(self) -> None:
        ok = {
            "daily": True,
            "weekly": bool(self.weekdays) and list(self.weekdays) == sorted(set(self.weekdays))
            and all(0 <= d <= 6 for d in self.weekdays),
            "monthly": self.day is not None and 1 <= self.day <= 31,
            "interval": (self.every_days or 0) >= 2 and self.start is not None,
        }.get(self.kind, False)
        if not ok:
            raise ValueError(f"inconsistent Recurring: {self!r}")

    def trigger(self, tz: tzinfo | str) -> BaseTrigger:
        """APScheduler CronTrigger, or an IntervalTrigger anchored on ``start`` at ``at``."""
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        hm = {"hour": self.at.hour, "minute": self.at.minute, "second": 0}
        if self.kind == "interval":
            assert self.start is not None and self.every_days is not None
            return IntervalTrigger(days=self.every_days, timezone=tz,
                                   start_date=datetime.combine(self.start, self.at))
        if self.kind == "weekly":
            days = ",".join(_CRON_DAYS[d] for d in self.weekdays)
            return CronTrigger(day_of_week=days, timezone=tz, **hm)
        if self.kind == "monthly":
            return CronTrigger(day=self.day, timezone=tz, **hm)
        return CronTrigger(timezone=tz, **hm)

    def next_fire_times(self, after: datetime, n: int = 3) -> list[datetime]:
        """The next ``n`` fire times strictly after ``after``, computed from the trigger."""
        return _fire_times(self.trigger(_tz_of(after)), after, n)

    def describe(self) -> str:
        """Chinese echo such as 每周六 08:00 or 工作日 07:30."""
        hm = f"{self.at:%H:%M}"
        if self.kind == "weekly":
            if self.weekdays == (0, 1, 2, 3, 4):
                return f"工作日 {hm}"
            if self.weekdays == (5, 6):
                return f"每周末 {hm}"
            return f"每周{'、'.join(WEEKDAY_NAMES[d] for d in self.weekdays)} {hm}"
        if self.kind == "monthly":
            return f"每月{self.day}日 {hm}"
        if self.kind == "interval":
            assert self.start is not None
            return f"每{self.every_days}天 {hm}({self.start.month}月{self.start.day}日起)"
        return f"每天 {hm}"

    def to_spec(self) -> dict[str, Any]:
        """JSON-safe form for storage."""
        spec: dict[str, Any] = {"kind": self.kind, "time": f"{self.at:%H:%M}"}
        if self.kind == "weekly":
            spec["weekdays"] = list(self.weekdays)
        elif self.kind == "monthly":
            spec["day"] = self.day
        elif self.kind == "interval":
            spec["every_days"] = self.every_days
            spec["start"] = self.start.isoformat() if self.start else None
        return spec

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> Recurring:
        """Inverse of to_spec."""
        when = from_spec(spec)
        if not isinstance(when, cls):
            raise ValueError(f"not a recurring spec: {spec!r}")
        return when


def from_spec(spec: dict[str, Any]) -> OneShot | Recurring:
    """Rebuild a OneShot or Recurring from its to_spec() dict; ValueError if malformed."""
    try:
        if spec["kind"] == "once":
            at = datetime.fromisoformat(spec["at"])
            if at.tzinfo is None:
                raise ValueError("naive datetime")
            if spec.get("tz"):
                from zoneinfo import ZoneInfo

                at = at.astimezone(ZoneInfo(spec["tz"]))
            return OneShot(at)
        start = spec.get("start")
        return Recurring(kind=spec["kind"], at=time.fromisoformat(spec["time"]),
                         weekdays=tuple(int(d) for d in spec.get("weekdays", ())),
                         day=spec.get("day"), every_days=spec.get("every_days"),
                         start=date.fromisoformat(start) if start else None)
    except (KeyError, TypeError, ValueError) as e:
        raise ValueError(f"bad schedule spec {spec!r}: {e}") from None


def _tz_of(dt: datetime) -> tzinfo:
    if dt.tzinfo is None:
        raise ValueError("after must be timezone-aware")
    return dt.tzinfo


def _fire_times(trigger: BaseTrigger, after: datetime, n: int) -> list[datetime]:
    out: list[datetime] = []
    prev: datetime | None = None
    for _ in range(n + 2):  # +2: DateTrigger ignores `now`, cron may return `after` itself
        if len(out) >= n:
            break
        nxt = trigger.get_next_fire_time(prev, prev or after)
        if nxt is None:
            break
        if nxt > after:
            out.append(nxt)
        prev = nxt
    return out
