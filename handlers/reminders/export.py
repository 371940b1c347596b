"""``cocreate export``: the reminders key (JSON) and the 提醒 / 签到记录 tables (xlsx, csv)."""
from __future__ import annotations

from bot.export import iso
from bot.when import from_spec
from storage.models import Chat, Member, Reminder, ReminderStatus
from storage.repo import reminders as repo

from .feature import router
from .jobs import job_id
from .text import checkin_text, schedule_text

STATUS_LABELS = {ReminderStatus.active: "进行中", ReminderStatus.paused: "已暂停",
                 ReminderStatus.done: "已发送", ReminderStatus.cancelled: "已取消"}


def schedule_json(reminder: Reminder) -> dict:
    """{"spec": bot.when's to_spec() dict, "description": its Chinese describe()}."""
    return {"spec": reminder.schedule, "description": from_spec(reminder.schedule).describe()}


@router.exporter("reminders")
def export_reminders(session, *, refs, tz) -> list[dict]:
    """Active and paused reminders; next_fire_at is the scheduler's next run (null when paused)."""
    live = repo.live_reminders(session)
    targets = repo.targets_by_reminder(session, reminder_ids=[r.id for r in live])
    return [
        {
            "id": r.id,
            "text": r.text,
            "schedule": schedule_json(r),
            "chats": [chat.key for chat in targets.get(r.id, [])],
            "next_fire_at": iso(repo.job_next_run(session, job_id=job_id(r.id)), tz),
            "paused": r.status == ReminderStatus.paused,
        }
        for r in live
    ]


@router.table("reminders", "提醒")
def reminders_table(session, *, refs, tz):
    """Every reminder ever set, with its status and attendance."""
    rows = repo.all_reminders(session)
    targets = repo.targets_by_reminder(session, reminder_ids=[r.id for r in rows])
    totals = repo.checkin_totals(session, reminder_ids=[r.id for r in rows])
    headers = ["编号", "状态", "时间", "内容", "发到", "设置人", "签到时长", "签到人次", "下次", "设置于"]
    return headers, [
        [
            r.id, STATUS_LABELS[r.status], schedule_text(r), r.text,
            "、".join(c.name for c in targets.get(r.id, [])), session.get(Member, r.creator_id).display_name,
            checkin_text(r.checkin_minutes) if r.checkin_minutes else "", totals.get(r.id, 0),
            _local(repo.job_next_run(session, job_id=job_id(r.id)) if r.status == ReminderStatus.active else None, tz),
            _local(r.created_at, tz),
        ]
        for r in rows
    ]


@router.table("reminder_checkins", "签到记录")
def checkins_table(session, *, refs, tz):
    """Who checked in for which sending of which reminder, and where."""
    headers = ["提醒编号", "内容", "原定时间", "签到人", "群", "签到时间"]
    rows = []
    for checkin, occurrence in repo.checkins(session):
        reminder = session.get(Reminder, checkin.reminder_id)
        rows.append([
            reminder.id, reminder.text, _local(occurrence.scheduled_at, tz),
            session.get(Member, checkin.member_id).display_name, session.get(Chat, checkin.chat_id).name,
            _local(checkin.checked_in_at, tz),
        ])
    return headers, rows


def _local(moment, tz) -> str | None:
    return f"{moment.astimezone(tz):%Y-%m-%d %H:%M}" if moment else None
