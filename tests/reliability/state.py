"""The stored state of a run, comparable between two runs of the same traffic.

Every table in ``SQLModel.metadata`` is snapshotted except the bookkeeping of delivery, so a
feature added later (the points ledger) is compared without anyone listing it here.
Surrogate ids are replaced by their rank in insertion order, and foreign keys by the rank of
the row they point at: PostgreSQL spends sequence numbers on rolled-back transactions (every
refused redelivery), so raw ids may differ while the state is the same. There (``gapless_ids=False``)
rows are ranked by their content instead, since the order of rows written at one moment may
differ too.
"""
from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Engine, inspect, select, text
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers every table)

# Delivery bookkeeping: when and how often a message went out may differ, what was said may not.
DELIVERY_COLUMNS = {"outbox": {"delivered_at", "attempts", "last_error", "parts_sent", "platform_message_id",
                               "leased_until"}}
# Columns that quote a raw id in text or JSON ("【投票 #3】", "poll.vote:3:1", "member:10"): left
# out where a backend's ids may have gaps.
EMBEDDED_IDS = {"outbox": {"text", "choices", "mentions", "tag", "image"}, "pending_choice": {"actions"}, "ballot": {"voter"},
                "job_run": {"job_id"},
                "point_entry": {"reason", "source"}}
# Tables whose rows the tests insist are there (the crash and redelivery tests mean something).
FEATURE_TABLES = ("ticket", "ticket_event", "ballot", "poll_voter", "reminder", "reminder_occurrence",
                  "reminder_checkin", "job_run")


def points_tables() -> list[str]:
    """The points ledger's tables once the points feature is merged (none before)."""
    return [name for name in SQLModel.metadata.tables if name.startswith("point")]


def snapshot(engine: Engine, *, gapless_ids: bool = True, leave_out: frozenset[str] = frozenset()) -> dict[str, list[tuple]]:
    """Each table's rows, ids canonical.

    ``gapless_ids=False`` (PostgreSQL) leaves out what quotes a raw id, and job ids;
    ``leave_out`` names tables not to read at all (ones known to grow with every message).
    """
    ranks: dict[str, dict[int, int]] = {}
    state: dict[str, list[tuple]] = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in leave_out:
                continue
            skip = DELIVERY_COLUMNS.get(table.name, set())
            if not gapless_ids:
                skip = skip | EMBEDDED_IDS.get(table.name, set())
            columns = [c for c in table.columns if c.name not in skip]
            order = [table.c.id] if "id" in table.c else list(table.primary_key.columns)
            rows = conn.execute(select(*columns).order_by(*order)).all()
            if "id" in table.c and not gapless_ids:
                # Raw ids with gaps also order the jobs due at one moment differently ("reminder:10"
                # before "reminder:9"), so rows written at one moment may swap places: rank them by
                # their content (references already canonical), not by insertion order.
                rows = sorted(rows, key=lambda row: repr(_canonical(table, columns, row, ranks, rank_id=False)))
            if "id" in table.c:
                ranks[table.name] = {row.id: n for n, row in enumerate(rows, start=1)}
            state[table.name] = [_canonical(table, columns, row, ranks) for row in rows]
        jobs = _jobs(conn)
        state["apscheduler_jobs"] = jobs if gapless_ids else sorted((t,) for _, t in jobs)
    return state


def fingerprint(engine: Engine, *, leave_out: frozenset[str] = frozenset()) -> dict[str, str]:
    """Each table's rows as one digest (SQLite, raw ids): cheap enough to take around every fuzzed message."""
    digests = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in leave_out:
                continue
            row = " || ',' || ".join(f'quote("{c.name}")' for c in table.columns)
            rows = conn.execute(text(
                f'SELECT group_concat(r, char(10)) FROM (SELECT {row} AS r FROM "{table.name}" ORDER BY rowid)'
            )).scalar()
            digests[table.name] = hashlib.sha1((rows or "").encode()).hexdigest()
    return digests


def _canonical(table, columns, row, ranks, *, rank_id: bool = True) -> tuple:
    values = []
    for column, value in zip(columns, row):
        if column.name == "id":
            if not rank_id:
                continue
            value = ranks[table.name][value]
        elif value is not None and column.foreign_keys:
            target = next(iter(column.foreign_keys)).column.table.name
            value = ranks.get(target, {}).get(value, ("dangling", value))
        elif isinstance(value, datetime):
            value = value.isoformat()
        values.append((column.name, value))
    return tuple(values)


def _jobs(conn) -> list[tuple]:
    """Scheduled jobs by id with their next run time (a run done twice or lost shows here)."""
    if "apscheduler_jobs" not in inspect(conn).get_table_names():
        return []
    return [tuple(r) for r in conn.execute(text("SELECT id, next_run_time FROM apscheduler_jobs ORDER BY id"))]


def differences(expected: dict[str, list[tuple]], actual: dict[str, list[tuple]], *, limit: int = 5) -> list[str]:
    """Human-readable differences, table by table (empty when the states agree)."""
    found = []
    for name in sorted(set(expected) | set(actual)):
        want, got = expected.get(name, []), actual.get(name, [])
        if want == got:
            continue
        missing = [r for r in want if r not in got][:limit]
        extra = [r for r in got if r not in want][:limit]
        found.append(f"{name}: {len(want)} rows expected, {len(got)} found; missing {missing}; extra {extra}")
    return found
