"""Records of scheduled work, so that each due run happens once."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class JobRun(SQLModel, table=True):
    """One execution of a scheduled job at one scheduled time (unique: never run twice)."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job_id", "scheduled_at"),)

    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(max_length=191, index=True)
    scheduled_at: datetime = Field(sa_type=UTCDateTime)
    ran_at: datetime = Field(sa_type=UTCDateTime)
    late: bool = False
