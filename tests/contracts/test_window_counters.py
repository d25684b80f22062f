"""The `WindowCounters` contract, on SQLite, PostgreSQL and in memory (issue 24).

Counts add up per key within a fixed window of the clock and start again in the next one;
`clear` forgets a key; concurrent adds from many threads (and so processes, on a database)
lose none.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tactful.adapters.db.counters import SqlWindowCounters
from tactful.adapters.db.transaction import SqlDatabase
from tactful.adapters.memory.counters import MemoryWindowCounters
from tactful.services.ports import Database
from tactful.services.ports.counters import WindowCounters

START = 1_800_000_000.0  # a multiple of 60, 900 and 3600


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def counters(database: Database, clock: Clock) -> WindowCounters:
    if isinstance(database, SqlDatabase):
        return SqlWindowCounters(database.engine, clock)
    return MemoryWindowCounters(clock)


def test_counts_add_up_per_key_and_say_when_the_window_ends(
    counters: WindowCounters, clock: Clock
) -> None:
    assert counters.read("a", 60).count == 0
    assert [counters.add("a", 60).count for _ in range(3)] == [1, 2, 3]
    clock.now += 15
    assert counters.add("a", 60, amount=2).count == 5
    seen = counters.read("a", 60)
    assert (seen.count, seen.resets_in) == (5, 45)
    assert counters.read("b", 60).count == 0
    assert counters.read("a", 900).count == 0  # another window length is another count


def test_the_next_window_starts_from_zero(counters: WindowCounters, clock: Clock) -> None:
    counters.add("a", 60)
    counters.add("a", 60)
    clock.now += 60
    assert counters.read("a", 60).count == 0
    assert counters.add("a", 60).count == 1


def test_clear_forgets_one_key(counters: WindowCounters) -> None:
    counters.add("a", 900)
    counters.add("b", 900)
    counters.clear("a", 900)
    assert counters.read("a", 900).count == 0
    assert counters.read("b", 900).count == 1
    assert counters.add("a", 900).count == 1


def test_concurrent_adds_lose_none(counters: WindowCounters) -> None:
    with ThreadPoolExecutor(8) as pool:
        counts = list(pool.map(lambda _: counters.add("hot", 3600).count, range(200)))
    assert sorted(counts) == list(range(1, 201))
    assert counters.read("hot", 3600).count == 200


def test_ended_windows_are_swept(database: Database, clock: Clock) -> None:
    if not isinstance(database, SqlDatabase):
        pytest.skip("the memory counters sweep by size, not by count of hits")
    counters = SqlWindowCounters(database.engine, clock)
    counters.add("old", 60)
    clock.now += 120
    for n in range(1000):
        counters.add(f"new-{n % 3}", 60)
    with database.engine.connect() as connection:
        keys = {row[0] for row in connection.exec_driver_sql("SELECT key FROM rate_counters")}
    assert keys == {"new-0/60", "new-1/60", "new-2/60"}
