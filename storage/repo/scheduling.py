"""Run records for scheduled jobs."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.models import Community, JobRun


def claim_run(session: Session, *, job_id: str, scheduled_at: datetime, now: datetime, late: bool) -> bool:
    """Record that a job runs for its scheduled time; False when that run already happened."""
    session.add(JobRun(job_id=job_id, scheduled_at=scheduled_at, ran_at=now, late=late))
    try:
        session.flush()
    except IntegrityError:
        return False
    return True


def community_by_key(session: Session, *, key: str) -> Community | None:
    return session.exec(select(Community).where(Community.key == key)).first()
