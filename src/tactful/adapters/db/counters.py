"""`WindowCounters` in the `rate_counters` and `sliding_counters` tables: one atomic upsert
per hit, shared by every process on the database (SQLite or PostgreSQL).

A fixed-window hit is `INSERT ... ON CONFLICT (key, window_start) DO UPDATE SET count =
count + n RETURNING count` in its own short transaction, so concurrent hits from any process
add up exactly. A sliding-window try is one `INSERT ... ON CONFLICT (key) DO UPDATE` on the
key's one row that rolls the windows over when a new one has begun, decides in SQL whether
the try fits (`sliding_admits`, in integers) and counts it only then, returning the verdict:
the decision and the count cannot be split by another process's try. Rows of ended windows
are deleted now and then by whichever process is counting.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Engine, bindparam, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from tactful.adapters.db.tables_shared import rate_counters, sliding_counters
from tactful.services.ports.counters import (
    SlidingCount,
    WindowCount,
    milliseconds,
    sliding_admits,
    window_start,
)

SWEEP_EVERY = 1000
"""Hits between two deletions of ended windows."""
_THIS_WINDOW = (rate_counters.c.key == bindparam("key")) & (
    rate_counters.c.window_start == bindparam("start")
)
_READ = select(rate_counters.c.count).where(_THIS_WINDOW)
_CLEAR = delete(rate_counters).where(_THIS_WINDOW)
_SWEEP = delete(rate_counters).where(rate_counters.c.ends_at <= bindparam("now"))
_SWEEP_SLIDING = delete(sliding_counters).where(sliding_counters.c.stale_at <= bindparam("now"))


@cache
def _add(dialect: str) -> Any:
    """The upsert, built once per backend (so its compilation is cached)."""
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(rate_counters)
    return insert.on_conflict_do_update(
        index_elements=[rate_counters.c.key, rate_counters.c.window_start],
        set_={"count": rate_counters.c.count + insert.excluded.count},
    ).returning(rate_counters.c.count)


@cache
def _admit(dialect: str) -> Any:
    """The sliding-window upsert, built once per backend; its parameters are those of
    `SqlWindowCounters.admit` (times in ms, `budget` = limit x window)."""
    table = sliding_counters
    start, span, amount, remaining, budget = (
        bindparam(name, type_=BigInteger)
        for name in ("start", "span", "amount", "remaining", "budget")
    )
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    insert = insert.values(
        key=bindparam("counter"),
        window_start=start,
        count=bindparam("first"),
        previous=0,
        admitted=bindparam("first_admitted"),
        stale_at=bindparam("stale", type_=BigInteger),
    )
    same = table.c.window_start >= start  # or a later window, seen by a slower clock
    current = case((same, table.c.count), else_=0)
    previous = case(
        (same, table.c.previous), (table.c.window_start == start - span, table.c.count), else_=0
    )
    admits = (current + amount) * span + previous * remaining <= budget
    return insert.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "window_start": case((same, table.c.window_start), else_=start),
            "count": case((admits, current + amount), else_=current),
            "previous": previous,
            "admitted": admits,
            "stale_at": case((same, table.c.stale_at), else_=insert.excluded.stale_at),
        },
    ).returning(table.c.count, table.c.previous, table.c.admitted)


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

    def admit(self, key: str, window: int, limit: int, amount: int = 1) -> SlidingCount:
        now = milliseconds(self.clock())
        span = window * 1000
        start = now - now % span
        first = sliding_admits(0, 0, start + span - now, span, limit, amount)
        values = {
            "counter": _key(key, window),
            "start": start,
            "first": amount if first else 0,
            "first_admitted": first,
            "stale": start + 2 * span,  # then neither the current window nor the previous
            "span": span,
            "amount": amount,
            "remaining": start + span - now,
            "budget": limit * span,
        }
        with self.engine.begin() as connection:
            count, previous, admitted = connection.execute(
                _admit(self.engine.dialect.name), values
            ).one()
            if next(self._hits) % SWEEP_EVERY == 0:
                connection.execute(_SWEEP_SLIDING, {"now": now})
        return SlidingCount(bool(admitted), int(count), int(previous), span, now - start)


def _key(key: str, window: int) -> str:
    return f"{key}/{window}"
