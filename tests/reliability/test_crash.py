"""Killed with SIGKILL at random points while replaying traffic, restarted from the last acknowledged message.

The final state equals a clean run's: every ticket, vote, reminder, check-in (and points
entry, once that feature exists) is there exactly once, every job ran once, every reply
was written once and sent at least once.
"""
from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select

from storage.db import make_engine
from storage.models import Outbox
from tests.reliability import replaying
from tests.reliability.sizes import SOAK, size
from tests.reliability.state import FEATURE_TABLES, differences, points_tables, snapshot
from tests.reliability.traffic import messages, write
from tests.support.databases import PostgresDatabase, pg_reachable

MESSAGES = size(300, 2000)
KILLS = size(3, 15)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not SOAK, reason="the crash replay on PostgreSQL runs in make soak"))])
def two_databases(request, tmp_path):
    """Two empty databases of one backend: one for the clean run, one for the crashing run."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/clean.db", f"sqlite:///{tmp_path}/crash.db"
        return
    reason = pg_reachable()
    if reason is not None:
        pytest.skip(reason)
    databases = [PostgresDatabase(), PostgresDatabase()]
    yield databases[0].url, databases[1].url
    for database in databases:
        database.drop()


def state_of(url: str) -> tuple[dict, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            unsent = conn.execute(select(func.count()).select_from(Outbox).where(Outbox.delivered_at.is_(None))).one()[0]
        return snapshot(engine, gapless_ids=url.startswith("sqlite")), unsent
    finally:
        engine.dispose()


def test_killed_at_random_points_and_resumed_ends_as_a_clean_run_does(tmp_path, two_databases):
    scenario = write(messages(MESSAGES), tmp_path / "traffic.jsonl")
    clean_url, crash_url = two_databases
    clean_said = replaying.said(replaying.run(scenario, clean_url))
    clean, clean_unsent = state_of(clean_url)
    for table in (*FEATURE_TABLES, *points_tables()):
        assert clean[table], f"the traffic made no {table} rows: the comparison would prove little"

    rng = random.Random(MESSAGES * 31 + KILLS)
    acks = tmp_path / "acks"
    printed, kills = [], 0
    for after_line in sorted(rng.sample(range(1, MESSAGES), KILLS)):
        lines, killed = replaying.run_until_killed(scenario, crash_url, acks, after_line=after_line,
                                                   delay_s=rng.uniform(0, 0.03), stderr=tmp_path / "stderr.txt")
        printed += lines
        kills += killed
    printed += replaying.run(scenario, crash_url, acks)
    assert replaying.acked(acks) == MESSAGES
    # Started once more after finishing: everything is acknowledged, nothing is played or sent again.
    assert replaying.run(scenario, crash_url, acks) == []

    assert kills >= KILLS - 1, "the process finished before it could be killed"
    crashed, crash_unsent = state_of(crash_url)
    found = differences(clean, crashed)
    assert not found, "\n".join(found)
    assert crash_unsent == clean_unsent
    # Sent at least once each; a message sent but not yet recorded as sent when killed is sent again.
    crash_said = replaying.said(printed)
    if crash_url.startswith("sqlite"):
        assert set(crash_said) == set(clean_said)
        assert all(crash_said[key] >= n for key, n in clean_said.items())
    else:  # texts quote poll and reminder ids, which a killed PostgreSQL transaction may have spent
        assert sum(crash_said.values()) >= sum(clean_said.values())
    assert "Traceback" not in (tmp_path / "stderr.txt").read_text(encoding="utf-8")

