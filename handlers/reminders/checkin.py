"""Replying 签到 while a reminder's check-in window is open records attendance (once per sending)."""
from __future__ import annotations

import re
from datetime import timedelta

from bot.commands import normalize
from bot.context import Context
from storage.models import Reminder
from storage.repo import reminders as repo

from .feature import router
from .text import topic

CHECKIN_WORDS = re.compile(r"^(?:我)?(?:已)?签到(?:了|啦)?(?:\+1)?[!！。.~～]*$")
# "签到" this soon after a window closed is answered; later it may mean something else entirely.
LATE_ANSWER_WINDOW = timedelta(hours=12)


@router.message(priority=20)
def check_in(ctx: Context) -> bool:
    """Record a check-in for the window open in this chat, acknowledge it and tell the points feature."""
    if not CHECKIN_WORDS.match(normalize(ctx.event.text).replace(" ", "")):
        return False
    occurrence = repo.checkin_window(ctx.session, chat_id=ctx.chat.id, now=ctx.now)
    if occurrence is None:
        closed = repo.last_closed_window(ctx.session, chat_id=ctx.chat.id, now=ctx.now,
                                         since=ctx.now - LATE_ANSWER_WINDOW)
        if closed is None:
            return False
        ctx.reply(f"本次签到已于 {ctx.local(closed.checkin_closes_at):%H:%M} 截止，下次请早点哦。")
        return True
    reminder = ctx.session.get(Reminder, occurrence.reminder_id)
    name = ctx.member.display_name
    checkin_id = repo.add_checkin(ctx.session, occurrence=occurrence, member_id=ctx.member.id,
                                  chat_id=ctx.chat.id, now=ctx.now)
    if checkin_id is None:
        ctx.reply(f"{name} 已经签到过了，不用重复签。")
        return True
    count = repo.checkin_count(ctx.session, occurrence_id=occurrence.id)
    ctx.reply(f"✅ {name} 签到成功（{topic(reminder.text)}，第 {count} 位）")
    ctx.emit("checkin.recorded", checkin_id=checkin_id, member_id=ctx.member.id, reminder_id=reminder.id)
    return True
