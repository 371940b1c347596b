"""Timed work on APScheduler with its SQLAlchemy job store in the project's own database.

Jobs carry a stable id (``reminder:12``, ``poll-close:7``) and name a task registered by a
feature; the task runs through the dispatcher, which records each (job, scheduled time) so
a run happens at most once, even across restarts or several workers.

One way of firing, two clocks: ``run_due(now)`` is called by the serving runtime's leader
loop on the wall clock (``cocreate run``, ``cocreate worker``) and by the simulated runtime
as its clock moves (``cocreate replay``, tests). Any process may add, change or remove jobs
(they are rows in the shared store); only the one holding the leadership calls ``run_due``,
so a job written by another worker is seen at the leader's next look at the store.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from apscheduler.executors.base import BaseExecutor
from apscheduler.job import Job
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

JOB_FUNC = "bot.scheduler:job_placeholder"
DEFAULT_GRACE_SECONDS = 3600
# A run this much after its time is announced as late ("补发").
LATE_AFTER_SECONDS = 60


def job_placeholder(**_: Any) -> None:
    """Stands in as the job's callable; jobs are executed by ``Scheduler``, never by APScheduler."""
    raise RuntimeError("cocreate jobs run through bot.scheduler.Scheduler")


@dataclass(frozen=True, slots=True)
class JobCall:
    """One due run of a job, as handed to the runtime."""

    job_id: str
    task: str
    args: dict[str, Any]
    scheduled_at: datetime
    late: bool


Runner = Callable[[JobCall], None]


class _RunnerExecutor(BaseExecutor):
    """Hands due jobs to the runtime instead of running callables in a thread pool."""

    def __init__(self, owner: "Scheduler") -> None:
        super().__init__()
        self._owner = owner

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        try:
            self._owner.fire(job, run_times, self._owner.clock.now())
        finally:
            self._run_job_success(job.id, [])


class _ManualScheduler(BaseScheduler):
    """A scheduler that never wakes itself: ``Scheduler.run_due`` drives it."""

    def shutdown(self, wait: bool = True) -> None:
        super().shutdown(wait)

    def wakeup(self) -> None:
        pass


class Scheduler:
    """Stable-id jobs in the database, fired once each through a runner."""

    def __init__(self, *, engine: Engine, tz: tzinfo, clock, runner: Runner) -> None:
        self.clock = clock
        self.tz = tz
        self.runner = runner
        self.jobstore = SQLAlchemyJobStore(engine=engine)
        self._aps: BaseScheduler | None = None
        # Bumped on every change to the stored jobs, so a simulated clock knows to look again.
        self.version = 0
        # Called after this process changed a job, so a waiting leader looks again at once.
        self.on_change: Callable[[], None] | None = None

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> None:
        """Open the store: jobs can be written; nothing fires until ``run_due`` is called."""
        self._create_table()
        self._aps = _ManualScheduler(timezone=self.tz)
        self._aps.add_jobstore(self.jobstore, "default")
        self._aps.add_executor(_RunnerExecutor(self), "default")
        self._aps.start(paused=True)

    def _create_table(self) -> None:
        """Create APScheduler's table if missing; two workers starting at once may both try."""
        try:
            self.jobstore.jobs_t.create(self.jobstore.engine, checkfirst=True)
        except DBAPIError:
            self.jobstore.jobs_t.create(self.jobstore.engine, checkfirst=True)

    def shutdown(self) -> None:
        if self._aps is not None and self._aps.running:
            self._aps.shutdown(wait=False)
        self._aps = None

    @property
    def started(self) -> bool:
        return self._aps is not None

    # -- jobs -------------------------------------------------------------------------

    def put(self, job_id: str, task: str, trigger, *, args: dict[str, Any], now: datetime,
            grace_seconds: int | None = None) -> datetime | None:
        """Create or replace a job; returns its next fire time (None: nothing left to fire)."""
        aps = self._require()
        self._changed()
        next_run = trigger.get_next_fire_time(None, now)
        if next_run is None:
            self.remove(job_id)
            return None
        aps.add_job(
            JOB_FUNC,
            trigger=trigger,
            id=job_id,
            name=job_id,
            kwargs={"task": task, "args": args, "grace": grace_seconds or DEFAULT_GRACE_SECONDS},
            next_run_time=next_run,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
        )
        return next_run

    def ensure(self, job_id: str, task: str, trigger, *, args: dict[str, Any], now: datetime,
               grace_seconds: int | None = None) -> None:
        """Make sure a periodic job exists without disturbing one already stored.

        Keeping the stored job (and its next run time) is what lets a run missed while the
        bot was down be caught up on start.
        """
        job = self.jobstore.lookup_job(job_id)
        wanted = {"task": task, "args": args, "grace": grace_seconds or DEFAULT_GRACE_SECONDS}
        if job is not None and str(job.trigger) == str(trigger) and job.kwargs == wanted:
            return
        self.put(job_id, task, trigger, args=args, now=now, grace_seconds=grace_seconds)

    def remove(self, job_id: str) -> None:
        self._changed()
        try:
            self._require().remove_job(job_id)
        except JobLookupError:
            pass

    def pause(self, job_id: str) -> None:
        self._changed()
        self._require().modify_job(job_id, next_run_time=None)

    def resume(self, job_id: str, *, now: datetime) -> datetime | None:
        self._changed()
        job = self.jobstore.lookup_job(job_id)
        if job is None:
            return None
        next_run = job.trigger.get_next_fire_time(None, now)
        if next_run is None:
            self.remove(job_id)
        else:
            self._require().modify_job(job_id, next_run_time=next_run)
        return next_run

    def get(self, job_id: str) -> Job | None:
        return self.jobstore.lookup_job(job_id)

    def jobs(self) -> list[Job]:
        return self.jobstore.get_all_jobs()

    def next_run_time(self) -> datetime | None:
        return self.jobstore.get_next_run_time()

    # -- firing -----------------------------------------------------------------------

    def run_due(self, now: datetime) -> int:
        """Fire every job due at ``now``; returns how many fired.

        A job is fired before its next run is stored: a process killed in between leaves
        the job due, the next leader fires it again and the ``job_run`` claim makes that a
        no-op, so a run is never lost and never doubled. The next run is stored only if the
        job is still as it was, so a task (or another worker) that changed it wins.
        """
        fired = 0
        self.version += 1
        for job in self.jobstore.get_due_jobs(now):
            run_times = job._get_run_times(now)
            if not run_times:
                continue
            before = _shape(job)
            fired += self.fire(job, run_times, now)
            current = self.jobstore.lookup_job(job.id)
            if current is None or _shape(current) != before:
                continue
            next_run = job.trigger.get_next_fire_time(run_times[-1], now)
            try:
                if next_run is None:
                    self.jobstore.remove_job(job.id)
                else:
                    job._modify(next_run_time=next_run)
                    self.jobstore.update_job(job)
            except JobLookupError:
                pass  # removed meanwhile by another worker: nothing left to advance
        return fired

    def fire(self, job: Job, run_times: list[datetime], now: datetime) -> int:
        """Apply the missed-run policy to a due job and hand the run to the runner.

        Only the latest missed time counts (coalescing); a run later than the job's grace
        time is skipped and logged, a run late by less is sent once, marked late.
        """
        scheduled = run_times[-1]
        lateness = (now - scheduled).total_seconds()
        grace = job.kwargs.get("grace", DEFAULT_GRACE_SECONDS)
        if lateness > grace:
            log.warning("job %s missed its run at %s by %.0f s (grace %s s): skipped",
                        job.id, scheduled.isoformat(), lateness, grace)
            return 0
        if len(run_times) > 1:
            log.info("job %s: %d earlier missed runs folded into one", job.id, len(run_times) - 1)
        self.runner(JobCall(job.id, job.kwargs["task"], dict(job.kwargs.get("args", {})),
                            scheduled, lateness > LATE_AFTER_SECONDS))
        return 1

    def _changed(self) -> None:
        self.version += 1
        if self.on_change is not None:
            self.on_change()

    def _require(self) -> BaseScheduler:
        if self._aps is None:
            raise RuntimeError("the scheduler has not been started")
        return self._aps


def _shape(job: Job) -> tuple:
    """What identifies a stored job's state, to tell whether someone changed it."""
    return job.next_run_time, str(job.trigger), job.kwargs
