"""A ``limits`` storage in the service's own database, so instances share their counts.

Several gunicorn instances on one PostgreSQL need no Redis or memcached to count
logins together: ``BASSIN_RATELIMIT_STORAGE=database`` keeps the fixed-window
counters in the ``rate_limits`` table (created by migration 0003). Registered with
``limits`` under the schemes ``sql+<SQLAlchemy URL>``, e.g.
``sql+postgresql+psycopg://…``. Each hit is one atomic upsert.
"""
from __future__ import annotations

import time

from limits.storage import Storage
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

PREFIX = "sql+"
#: every this many hits, a process deletes the windows that have ended
PURGE_EVERY = 500

_INCR = text(
    "INSERT INTO rate_limits (key, count, expires) VALUES (:key, :amount, :now + :expiry) "
    "ON CONFLICT (key) DO UPDATE SET "
    "count = CASE WHEN rate_limits.expires <= :now THEN :amount "
    "ELSE rate_limits.count + :amount END, "
    "expires = CASE WHEN rate_limits.expires <= :now THEN :now + :expiry "
    "ELSE rate_limits.expires END "
    "RETURNING count")


class DatabaseStorage(Storage):
    """Fixed-window counters in the ``rate_limits`` table of a SQLAlchemy database."""

    STORAGE_SCHEME = [f"{PREFIX}sqlite", f"{PREFIX}postgresql", f"{PREFIX}postgresql+psycopg"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        url = uri[len(PREFIX):]
        connect_args = {"check_same_thread": False} if url.startswith("sqlite") else {}
        self.engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
        self._hits = 0

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self.engine.begin() as conn:
            count = conn.execute(_INCR, {"key": key, "amount": amount, "now": now,
                                         "expiry": float(expiry)}).scalar_one()
            self._hits += 1
            if self._hits % PURGE_EVERY == 0:
                conn.execute(text("DELETE FROM rate_limits WHERE expires <= :now"), {"now": now})
        return int(count)

    def _row(self, key: str):
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT count, expires FROM rate_limits WHERE key = :key "
                                     "AND expires > :now"), {"key": key, "now": time.time()}).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return int(row.count) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return float(row.expires) if row else time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as conn:
            return conn.execute(text("DELETE FROM rate_limits")).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(text("DELETE FROM rate_limits WHERE key = :key"), {"key": key})


def storage_uri(setting: str, database_url: str) -> str:
    """The storage URI of a ``RATELIMIT_STORAGE_URI`` setting: ``database`` names the
    service's own database; anything else (``memory://``, ``redis://…``) is kept."""
    return PREFIX + database_url if setting == "database" else setting
