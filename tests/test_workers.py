"""Several worker processes on one PostgreSQL database: one runs the scheduler, another takes over when it dies."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
import pytest
from apscheduler.triggers.date import DateTrigger
from sqlmodel import select

from bot.clock import SystemClock
from bot.scheduler import Scheduler
from storage.db import make_engine, session_scope
from storage.migrate import current_revision, upgrade
from storage.models import JobRun, Outbox
from tests.support.databases import pg_admin_url
from tests.support.testbot import DATA, TestBot

LEADS = "this worker now runs the scheduler"
FOLLOWS = "this one follows"
TAKEOVER_DEADLINE_S = 30  # what the issue asks of a takeover
JOBS = 8
SPACING = timedelta(seconds=2)


class Worker:
    """A ``cocreate worker`` process with its log in a file."""

    def __init__(self, name: str, url: str, directory: Path) -> None:
        self.name = name
        self.log = directory / f"{name}.log"
        env = dict(os.environ, COCREATE_LOG_LEVEL="INFO", PYTHONUNBUFFERED="1")
        with open(self.log, "w") as sink:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "worker", "--config", str(DATA / "community.yaml"), "--db", url],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=sink, env=env, cwd=directory,
            )

    def says(self, line: str) -> bool:
        return line in self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def wait_until(condition, *, what: str, workers: list[Worker], deadline_s: float = 120) -> None:
    """Poll ``condition``; fail with the workers' logs if it does not hold in time or a worker died."""
    end = time.monotonic() + deadline_s
    while not condition():
        if time.monotonic() > end:
            logs = "\n".join(f"--- {w.name}\n{w.log.read_text(errors='replace')[-3000:]}" for w in workers)
            pytest.fail(f"timed out waiting for {what}\n{logs}")
        time.sleep(0.2)


def create_reminders(url: str) -> list[str]:
    """Reminders set through chat commands, as people would; returns their job ids."""
    bot = TestBot(database_url=url, start=datetime.now(timezone.utc))
    for i in range(JOBS):
        chat, leader = ("b3", "bl3") if i % 2 == 0 else ("b5", "bl5")
        assert "已设提醒" in bot.say(chat, leader, f"#提醒 明天下午3点 第{i}件事")[0].text
    ids = sorted(j.id for j in bot.runtime.scheduler.jobs() if j.id.startswith("reminder:"))
    bot.close()
    assert len(ids) == JOBS
    return ids


def retime(url: str, job_ids: list[str], first: datetime) -> None:
    """Make the jobs due a few seconds apart from ``first``, written by this (third) process."""
    engine = make_engine(url)
    clock = SystemClock(timezone.utc)
    scheduler = Scheduler(engine=engine, tz=timezone.utc, clock=clock, runner=lambda call: None)
    scheduler.start()
    for n, job_id in enumerate(job_ids):
        job = scheduler.get(job_id)
        scheduler.put(job_id, job.kwargs["task"], DateTrigger(run_date=first + n * SPACING),
                      args=job.kwargs["args"], now=clock.now(), grace_seconds=job.kwargs["grace"])
    scheduler.shutdown()
    engine.dispose()


def runs(url: str) -> list[JobRun]:
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            return list(session.exec(select(JobRun).where(JobRun.job_id.startswith("reminder:"))))
    finally:
        engine.dispose()


def test_the_scheduler_moves_to_another_worker_and_every_job_runs_once(postgres_database, tmp_path):
    url = postgres_database.reset()
    job_ids = create_reminders(url)
    first = Worker("first", url, tmp_path)
    workers = [first]
    try:
        wait_until(lambda: first.says(LEADS), what="the first worker to lead", workers=workers)
        second = Worker("second", url, tmp_path)
        workers.append(second)
        wait_until(lambda: second.says(FOLLOWS), what="the second worker to follow", workers=workers)

        started = datetime.now(timezone.utc)
        retime(url, job_ids, started + timedelta(seconds=6))
        wait_until(lambda: len(runs(url)) >= 3, what="the leader to run three jobs", workers=workers)
        first.proc.kill()  # SIGKILL: no goodbye, PostgreSQL notices the closed connection
        killed_at, killed_mono = datetime.now(timezone.utc), time.monotonic()
        first.proc.wait()
        wait_until(lambda: second.says(LEADS), what="the second worker to take over", workers=workers)
        takeover_s = time.monotonic() - killed_mono
        print(f"\ntakeover after SIGKILL of the leader: {takeover_s:.1f} s (lead_retry_seconds 5)")
        assert takeover_s < TAKEOVER_DEADLINE_S

        wait_until(lambda: len(runs(url)) >= JOBS, what="every job to run", workers=workers)
        time.sleep(1)  # a second run, if there were one, would be recorded by now
        done = runs(url)
        assert Counter(r.job_id for r in done) == Counter(job_ids)  # every job once, none twice
        assert any(r.ran_at < killed_at for r in done) and any(r.ran_at > killed_at for r in done)

        engine = make_engine(url)
        with session_scope(engine) as session:
            announced = session.exec(select(Outbox.tag).where(Outbox.text.startswith("【提醒】"))).all()
        engine.dispose()
        assert Counter(announced) == Counter(f"reminder:{j.split(':')[1]}" for j in job_ids)
        assert not any(w.says("Traceback") for w in workers)
    finally:
        for worker in workers:
            worker.stop()


def test_workers_starting_together_on_an_empty_database_set_it_up_once(postgres_database):
    admin = pg_admin_url()
    name = f"{postgres_database.name}_empty"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{admin.rsplit('/', 1)[0]}/{name}"
    barrier = threading.Barrier(3)
    errors: list[str] = []

    def start() -> None:
        engine = make_engine(url)
        try:
            barrier.wait()
            upgrade(engine)
            scheduler = Scheduler(engine=engine, tz=timezone.utc, clock=SystemClock(timezone.utc), runner=print)
            scheduler.start()
            scheduler.shutdown()
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            engine.dispose()

    try:
        threads = [threading.Thread(target=start) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        engine = make_engine(url)
        assert current_revision(engine) is not None
        engine.dispose()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
