"""Who runs the scheduler: one holder of the PostgreSQL advisory lock; on SQLite, the one process."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.leadership import KEEPALIVE_SETTINGS, Leadership
from storage.db import make_engine


@pytest.fixture
def engines(postgres_database):
    url = postgres_database.reset()
    made = [make_engine(url) for _ in range(3)]
    yield made
    for engine in made:
        engine.dispose()


@pytest.fixture
def worker(engines):
    """Leadership for worker ``n`` (its own engine); every lock is let go after the test."""
    made: list[Leadership] = []

    def make(n: int, **kwargs) -> Leadership:
        made.append(Leadership(engines[n], **kwargs))
        return made[-1]

    yield make
    for leadership in made:
        leadership.release()


def test_on_sqlite_the_one_process_always_leads(sqlite_url):
    engine = make_engine(sqlite_url)
    assert Leadership(engine).hold() and Leadership(engine).hold()
    engine.dispose()


def test_one_worker_leads_and_another_takes_over_when_it_lets_go(worker):
    first, second = worker(0), worker(1)
    assert first.hold() is True
    assert second.hold() is False
    assert first.hold() is True and second.hold() is False  # holding is stable
    first.release()
    assert second.hold() is True
    assert first.hold() is False


def test_when_the_leaders_connection_dies_postgresql_frees_the_lock(engines, worker):
    leader, follower = worker(0), worker(1)
    assert leader.hold()
    backend = leader._conn.execute(text("SELECT pg_backend_pid()")).scalar()
    leader._conn.commit()
    with engines[2].connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        admin.commit()
    assert follower.hold() is True
    # The old leader notices at its next check and does not think it still leads.
    assert leader.hold() is False and not leader.leading
    assert follower.hold() is True


def test_a_lock_is_per_database_key(worker):
    a, b = worker(0, key=1), worker(1, key=2)
    assert a.hold() and b.hold()


def test_the_leaders_connection_is_given_up_by_the_server_soon_if_its_host_vanishes(worker):
    leader = worker(0)
    assert leader.hold()
    settings = {name: leader._conn.execute(text(f"SHOW {name}")).scalar() for name in KEEPALIVE_SETTINGS}
    leader._conn.commit()
    # (Over a Unix socket there is no TCP and PostgreSQL ignores them.)
    assert settings == {"tcp_keepalives_idle": "6", "tcp_keepalives_interval": "3",
                        "tcp_keepalives_count": "3", "tcp_user_timeout": "15000"}
