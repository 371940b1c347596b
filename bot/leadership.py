"""Which worker runs the scheduler: the one holding a PostgreSQL advisory lock.

The lock is session-level and taken with ``pg_try_advisory_lock`` on a connection kept for
as long as this process leads. When the process dies its connection closes and PostgreSQL
releases the lock; another worker's next try takes it. No home-made consensus: PostgreSQL
decides. On SQLite there is a single process, which always leads.

Leading is an efficiency, not the safety net: a job run is claimed in ``job_run`` and an
outbox row is leased before it is sent, so two leaders for a moment would still do each
thing once.
"""
from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

# One advisory lock key per database: "cocreate" in ASCII, read as an integer.
LOCK_KEY = int.from_bytes(b"cocreate", "big") >> 1
# A killed process closes its socket and PostgreSQL frees the lock at once; a vanished host
# or network would keep it for the kernel's keepalive default (hours). These make the
# server give up on the leader's connection within about 15 s; with a follower's next try,
# a takeover stays within the 30 s the deployment promises.
KEEPALIVE_SETTINGS = {
    "tcp_keepalives_idle": "6",
    "tcp_keepalives_interval": "3",
    "tcp_keepalives_count": "3",
    "tcp_user_timeout": "15000",
}


class Leadership:
    """Try to lead, keep leading, or notice that leadership was lost."""

    def __init__(self, engine: Engine, *, key: int = LOCK_KEY) -> None:
        self.engine = engine
        self.key = key
        self.shared = engine.dialect.name == "postgresql"
        self._conn: Connection | None = None
        self._following = False

    @property
    def leading(self) -> bool:
        return not self.shared or self._conn is not None

    def hold(self) -> bool:
        """Take the lock if free, or check that the connection holding it is alive; True while leading."""
        if not self.shared:
            return True
        if self._conn is not None:
            return self._still_held()
        return self._try_take()

    def _try_take(self) -> bool:
        conn = self.engine.connect()
        try:
            taken = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar()
            # End the implicit transaction; the session-level lock outlives it.
            conn.commit()
        except Exception:
            conn.invalidate()
            conn.close()
            log.warning("could not ask for the scheduler lock", exc_info=True)
            return False
        if not taken:
            conn.close()
            if not self._following:
                log.info("another worker runs the scheduler; this one follows")
                self._following = True
            return False
        self._conn = conn
        self._following = False
        self._bound_keepalive(conn)
        log.warning("this worker now runs the scheduler")
        return True

    @staticmethod
    def _bound_keepalive(conn: Connection) -> None:
        try:
            for name, value in KEEPALIVE_SETTINGS.items():
                conn.execute(text("SELECT set_config(:name, :value, false)"), {"name": name, "value": value})
            conn.commit()
        except Exception:
            conn.rollback()
            log.warning("could not set keepalives on the scheduler lock's connection", exc_info=True)

    def _still_held(self) -> bool:
        try:
            self._conn.execute(text("SELECT 1")).scalar()
            self._conn.commit()
            return True
        except Exception:
            # The connection (and with it the lock) is gone; another worker may lead already.
            log.warning("lost the scheduler lock with its connection", exc_info=True)
            self._drop(invalidate=True)
            return False

    def release(self) -> None:
        """Give the lock up (on a clean stop), so another worker takes over at its next try."""
        if self._conn is None:
            return
        try:
            self._conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            self._conn.commit()
            self._drop(invalidate=False)
        except Exception:
            self._drop(invalidate=True)

    def _drop(self, *, invalidate: bool) -> None:
        conn, self._conn = self._conn, None
        if invalidate:
            # Never hand a connection that may still hold the lock back to the pool.
            conn.invalidate()
        conn.close()
