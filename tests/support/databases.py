"""Fresh, migrated databases for tests: SQLite files and a private PostgreSQL database per run."""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import psycopg
from sqlalchemy import inspect, text

from storage.db import make_engine
from storage.migrate import upgrade

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


def pg_admin_url() -> str:
    return os.environ.get("COCREATE_TEST_PG_URL", DEFAULT_PG_URL)


def pg_required() -> bool:
    return os.environ.get("COCREATE_REQUIRE_PG") == "1"


def pg_reachable() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        with psycopg.connect(pg_admin_url(), connect_timeout=3) as conn:
            conn.execute("select 1")
        return None
    except Exception as exc:  # any failure means: not available here
        return f"PostgreSQL not reachable at {pg_admin_url()}: {exc.__class__.__name__}: {str(exc).strip()[:200]}"


class PostgresDatabase:
    """A database created for this test run (so parallel runs never collide), dropped at the end."""

    def __init__(self) -> None:
        self.name = f"cocreate_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(pg_admin_url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        base = pg_admin_url().rsplit("/", 1)[0]
        self.url = f"{base}/{self.name}"
        engine = make_engine(self.url)
        upgrade(engine)
        self.tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
        engine.dispose()

    def reset(self) -> str:
        """Empty every table (keeping the schema) and return the URL."""
        engine = make_engine(self.url)
        with engine.begin() as conn:
            tables = ", ".join(f'"{t}"' for t in inspect(conn).get_table_names() if t != "alembic_version")
            if tables:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return self.url

    def drop(self) -> None:
        with psycopg.connect(pg_admin_url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class SqliteTemplate:
    """One migrated SQLite file, copied for each test instead of migrating again."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "template.db"
        engine = make_engine(f"sqlite:///{self.path}")
        upgrade(engine)
        with engine.begin() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        engine.dispose()

    def fresh(self, directory: Path) -> str:
        target = directory / "test.db"
        shutil.copyfile(self.path, target)
        return f"sqlite:///{target}"
