"""Fixtures: databases on SQLite and PostgreSQL, and the conversation driver."""
from __future__ import annotations

import logging

import pytest

from tests.support.databases import PostgresDatabase, SqliteTemplate, pg_reachable, pg_required
from tests.support.testbot import TestBot

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> SqliteTemplate:
    return SqliteTemplate(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def postgres_database():
    reason = pg_reachable()
    if reason is not None:
        if pg_required():
            pytest.fail(f"COCREATE_REQUIRE_PG=1 but {reason}")
        pytest.skip(reason)
    database = PostgresDatabase()
    yield database
    database.drop()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path, sqlite_template) -> str:
    """A migrated, empty database: each test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return sqlite_template.fresh(tmp_path)
    return request.getfixturevalue("postgres_database").reset()


@pytest.fixture
def sqlite_url(tmp_path, sqlite_template) -> str:
    """A migrated, empty SQLite database, for tests about SQLite itself or the CLI."""
    return sqlite_template.fresh(tmp_path)


@pytest.fixture
def testbot(db_url):
    bot = TestBot(database_url=db_url)
    yield bot
    bot.close()


@pytest.fixture(autouse=True)
def _quiet_libraries():
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("jieba").setLevel(logging.WARNING)
