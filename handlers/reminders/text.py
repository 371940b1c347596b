"""How reminders read in the chat: times, schedules and the announcement itself."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

from bot.config import QuietHours
from bot.when import from_spec
from storage.models import Chat, Reminder

WEEKDAYS = "一二三四五六日"
TOPIC_LENGTH = 12
_CLAUSE_END = re.compile(r"[，,。.；;！!？?\s]")


def moment_text(moment: datetime, *, now: datetime) -> str:
    """11月28日(周六) 08:00, with the year only when it is not this year."""
    year = f"{moment.year}年" if moment.year != now.year else ""
    return f"{year}{moment.month}月{moment.day}日(周{WEEKDAYS[moment.weekday()]}) {moment:%H:%M}"


def upcoming_text(times: list[datetime], *, now: datetime, quiet: QuietHours,
                  skipped: Callable[[date], bool]) -> str:
    """The next fire times, each noting a holiday skip or a quiet-hours hold."""
    parts = []
    for moment in times:
        note = ""
        if skipped(moment.date()):
            note = "（节假日，不发）"
        elif quiet.contains(moment.time()):
            note = f"（免打扰时段，{quiet.release(moment):%H:%M} 发出）"
        parts.append(moment_text(moment, now=now) + note)
    return "、".join(parts)


def schedule_text(reminder: Reminder) -> str:
    """每周六 08:00（遇节假日不发）, or the date and time of a one-shot."""
    described = from_spec(reminder.schedule).describe()
    if reminder.recurring:
        described += "（遇节假日不发）" if reminder.skip_holidays else "（节假日照常）"
    return described


def topic(text: str) -> str:
    """The first clause of a reminder's text, short enough for an acknowledgement."""
    head = _CLAUSE_END.split(text.strip(), maxsplit=1)[0] or text.strip()
    return head if len(head) <= TOPIC_LENGTH else head[:TOPIC_LENGTH] + "…"


def chats_text(chats: list[Chat]) -> str:
    return "、".join(chat.name for chat in chats)


def checkin_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{minutes}分钟"
    return f"{hours}小时" + (f"{rest}分钟" if rest else "")


def announcement(reminder: Reminder, *, late_from: datetime | None, checkin_until: datetime | None,
                 now: datetime) -> str:
    """【提醒】…, marked when sent late, with the check-in call when it opens a window."""
    text = f"【提醒】{reminder.text}"
    if late_from is not None:
        shown = f"{late_from:%H:%M}" if late_from.date() == now.date() else moment_text(late_from, now=now)
        text += f"（补发，原定 {shown}）"
    if checkin_until is not None:
        text += f"\n回复 签到 记积分（{checkin_until:%H:%M} 截止）"
    return text
