"""`WindowCounters` in the `rate_counters` table: one atomic upsert per hit, shared by every
process on the database (SQLite or PostgreSQL).

A hit is `INSERT ... ON CONFLICT (key, window_start) DO UPDATE SET count = count + n
RETURNING count` in its own short transaction, so concurrent hits from any process add up
exactly. Rows of ended windows are deleted now and then by whichever process is counting.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from functools import cache
from typing import Any

from sqlalchemy import Engine, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from tactful.adapters.db.tables_shared import rate_counters
from tactful.services.ports.counters import WindowCount, window_start

SWEEP_EVERY = 1000
"""Hits between two deletions of ended windows."""
_THIS_WINDOW = (rate_counters.c.key == bindparam("key")) & (
    rate_counters.c.window_start == bindparam("start")
)
_READ = select(rate_counters.c.count).where(_THIS_WINDOW)
_CLEAR = delete(rate_counters).where(_THIS_WINDOW)
_SWEEP = delete(rate_counters).where(rate_counters.c.ends_at <= bindparam("now"))


@cache
def _add(dialect: str) -> Any:
    """The upsert, built once per backend (so its compilation is cached)."""
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(rate_counters)
    return insert.on_conflict_do_update(
        index_elements=[rate_counters.c.key, rate_counters.c.window_start],
        set_={"count": rate_counters.c.count + insert.excluded.count},
    ).returning(rate_counters.c.count)


class SqlWindowCounters:
    """Counters in the database; `clock` is the wall clock every process shares."""

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.clock = clock
        self._hits = itertools.count(1)

    def add(self, key: str, window: int, amount: int = 1) -> WindowCount:
        now = self.clock()
        start = window_start(now, window)
        row = {"key": _key(key, window), "window_start": start, "count": amount}
        row["ends_at"] = start + window
        with self.engine.begin() as connection:
            count = connection.execute(_add(self.engine.dialect.name), row).scalar_one()
            if next(self._hits) % SWEEP_EVERY == 0:
                connection.execute(_SWEEP, {"now": int(now)})
        return WindowCount(int(count), start + window - now)

    def read(self, key: str, window: int) -> WindowCount:
        now = self.clock()
        start = window_start(now, window)
        with self.engine.connect() as connection:
            found = connection.execute(
                _READ, {"key": _key(key, window), "start": start}
            ).scalar_one_or_none()
        return WindowCount(int(found or 0), start + window - now)

    def clear(self, key: str, window: int) -> None:
        start = window_start(self.clock(), window)
        with self.engine.begin() as connection:
            connection.execute(_CLEAR, {"key": _key(key, window), "start": start})


def _key(key: str, window: int) -> str:
    return f"{key}/{window}"
