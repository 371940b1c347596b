"""Writes decided by a unique key with ``INSERT … ON CONFLICT``, on SQLite and PostgreSQL alike.

Deciding by the unique constraint (not by a prior read) is what keeps two racing
transactions from both writing, without a savepoint or a failed flush.
"""
from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Row
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

INSERT_FOR = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@cache
def _insert_once_statement(dialect: str, model, keys: tuple[str, ...] | None):
    # Built once and given values as parameters: some of these run for every vote, and
    # building the statement cost more than running it.
    table = model.__table__
    statement = INSERT_FOR[dialect](table)
    statement = statement.on_conflict_do_nothing(index_elements=list(keys) if keys else None)
    # RETURNING, not rowcount: psycopg reports no row count for INSERT … ON CONFLICT.
    return statement.returning(*table.primary_key.columns)


def insert_once(session: Session, model, values: dict[str, Any], *, keys: tuple[str, ...] | None = None) -> Row | None:
    """Insert a row unless a unique key (``keys``, or any) has it; its primary key, or None when it existed."""
    statement = _insert_once_statement(session.get_bind().dialect.name, model, keys)
    return session.execute(statement, values).first()
