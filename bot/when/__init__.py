"""Chinese time expressions for reminders and poll deadlines.

``split_when("每周六早上8点 卫生大扫除", now=...)`` -> (Recurring(...), "卫生大扫除").
jionlp finds and resolves the time words (dates, 周五, 八点半, 下午, 3天后 ...), cn2an
reads numerals in recurrence heads; this package only adds the rules below
(``schedule``: the values and triggers; ``parse``: the rules; ``jio``: jionlp access).

Rules (what a user in a group chat expects):

* Results are in ``now``'s timezone; jionlp sees naive wall-clock strings of that zone.
* A past weekday, clock time or month-day without a year rolls forward to its next
  occurrence (周五18:00 said on Saturday = next Friday; 8点 said at 10:00 = tomorrow;
  1月5日 said in November = next January). The same named day today, time still ahead,
  stays today. Explicit 今天/昨天/上周/a year, or a full date that is today but already
  past, is an error, not a roll.
* Blur words without an hour: 早上 08:00, 上午 09:00, 中午 12:00, 下午 15:00,
  傍晚 18:00, 晚上 19:00, 夜里 20:00, 清晨 06:00; other ranges (白天, 凌晨) use
  ``default_time`` if it falls in the range, else the range start.
* A bare hour 1-6 written with 点 and no 早/午/晚/夜/凌/晨 word means the afternoon
  (3点开会 = 15:00): nobody schedules a community reminder at 3 a.m. by accident.
  Other bare hours stay as written and roll to tomorrow when past (8点 at 10:00 =
  tomorrow 08:00, not 20:00); the echo from describe() lets the user correct us.
* "X前" is the deadline X itself (周五18:00前). "8号楼", "3号门" are addresses, not dates.
* A date without a time (11月30日, 后天, 3天后, 一周后) fires at ``default_time``;
  hour/minute offsets (半小时后, 2小时后) are exactly ``now + delta`` (to the second).
* Recurrence heads are matched here because jionlp gets them wrong (每周一三五 -> Monday
  only, 工作日 dropped, 每晚8点 -> one-shot, 每月31号 -> nothing, 每周末 -> Sunday):
  每天/每日/每晚, 每周六, 每周一三五, 每周一至周五, 工作日 (Mon-Fri), 每周末 (Sat+Sun),
  每月15号, 每N天/每隔N天 (every N days, but 每隔一天 = every other day).
  Without a time of day they fire at ``default_time``. 每隔N天 starts on the first day
  whose time is still ahead. 每月31号 skips months without a 31st.

jionlp prints a banner on import and may log to the root logger, so it is imported on
first use with output captured (``jio``). Measured on the dev box (Python 3.11):
``import bot.when`` ~25 ms, most of it stdlib dataclasses/re; jionlp, APScheduler and
cn2an are not loaded. The first parse costs ~0.3 s with a warm disk cache (~0.6 s cold),
the jionlp import; later parses ~1 ms, ~0.3 s at worst on adversarial junk. The first
trigger() adds ~15 ms (APScheduler import). Call ``warm_up()`` at startup to pay the
jionlp import before other threads write to stdout.
"""

from __future__ import annotations

from .jio import load as _load
from .parse import EXAMPLE_PARSE, EXAMPLE_SPLIT, parse_when, split_when
from .schedule import OneShot, Recurring, WhenError, from_spec

__all__ = ["WhenError", "OneShot", "Recurring", "parse_when", "split_when", "from_spec", "warm_up",
           "EXAMPLE_PARSE", "EXAMPLE_SPLIT"]


def warm_up() -> None:
    """Import jionlp now (~0.3-0.6 s) instead of on the first user message."""
    _load()

