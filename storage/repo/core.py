"""Prebuilt Core statements run on a session's connection, inside its transaction.

The hot paths (every reply, every vote, every automatic points entry) build their statements
once and pass values as parameters: building ``insert().values(...)`` or a ``select`` per call,
and the ORM's execution layer around it, cost several times the statement itself
(docs/PERFORMANCE.md).
"""
from __future__ import annotations

from typing import Any

from sqlmodel import Session


def write(session: Session, statement, values: dict[str, Any] | list[dict[str, Any]]):
    """Run an INSERT or UPDATE; the session is told it changed data, as a flush would have."""
    session.flush()
    session.info["flushed"] = True
    return session.connection().execute(statement, values)


def read(session: Session, statement, values: dict[str, Any]):
    """Run a SELECT, after the session's pending changes are flushed (as autoflush would)."""
    session.flush()
    return session.connection().execute(statement, values)
