"""Time as the bot sees it: the wall clock when serving, a settable clock under replay."""
from __future__ import annotations

from datetime import datetime, tzinfo


class SystemClock:
    """The real time in the deployment's zone."""

    simulated = False

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(self.tz)


class SimulatedClock:
    """A clock that only moves when told to; it never moves backwards."""

    simulated = True

    def __init__(self, tz: tzinfo, start: datetime) -> None:
        self.tz = tz
        self._now = start.astimezone(tz)

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        moment = moment.astimezone(self.tz)
        if moment > self._now:
            self._now = moment


Clock = SystemClock | SimulatedClock
