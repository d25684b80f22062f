"""The `WindowCounters` contract, on SQLite, PostgreSQL and in memory (issue 24).

Counts add up per key within a fixed window of the clock and start again in the next one;
`clear` forgets a key; concurrent adds from many threads (and so processes, on a database)
lose none. `admit` counts a try only when the current window's count plus the previous
window's, weighted by the share of the window still to come, stays within the limit; every
store decides the same, and concurrent tries admit exactly the limit.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tactful.adapters.db.counters import SqlWindowCounters
from tactful.adapters.db.transaction import SqlDatabase
from tactful.adapters.memory.counters import MemoryWindowCounters
from tactful.services.ports.counters import WindowCounters
from tactful.services.ports.storage import Database

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


def test_admit_counts_up_to_the_limit_and_not_the_refused(
    counters: WindowCounters, clock: Clock
) -> None:
    tries = [counters.admit("a", 60, limit=3) for _ in range(5)]
    assert [t.admitted for t in tries] == [True, True, True, False, False]
    assert [t.count for t in tries] == [1, 2, 3, 3, 3]
    assert counters.admit("b", 60, limit=3).admitted  # another key, its own count
    assert counters.add("a", 60).count == 1  # fixed-window counts are kept apart
    clock.now += 30
    assert not counters.admit("a", 60, limit=3).admitted  # the window is still full


def test_admit_weighs_the_previous_window_by_the_share_still_to_come(
    counters: WindowCounters, clock: Clock
) -> None:
    assert all(counters.admit("a", 60, limit=60).admitted for _ in range(60))
    clock.now += 60 + 15  # a quarter into the next window: 60 x 3/4 = 45 still weigh
    tries = [counters.admit("a", 60, limit=60) for _ in range(16)]
    assert [t.admitted for t in tries] == [True] * 15 + [False]
    assert (tries[-1].count, tries[-1].previous, tries[-1].elapsed_ms) == (15, 60, 15_000)
    clock.now += 60  # the next window: these 15 weigh 3/4, the 60 no longer count
    assert sum(counters.admit("a", 60, limit=60).admitted for _ in range(60)) == 48  # 60 - 11.25
    clock.now += 120  # a window without calls: nothing weighs
    assert sum(counters.admit("a", 60, limit=60).admitted for _ in range(61)) == 60


def test_a_refused_try_says_when_one_would_be_admitted(
    counters: WindowCounters, clock: Clock
) -> None:
    for _ in range(10):
        counters.admit("a", 60, limit=10)
    clock.now += 50
    refused = counters.admit("a", 60, limit=10)  # full until 6 s into the next window,
    wait = refused.retry_in(10)  # where these 10 weigh 10 x 54/60 = 9
    assert (refused.admitted, wait) == (False, 10 + 6)
    clock.now += wait - 0.002
    assert not counters.admit("a", 60, limit=10).admitted
    clock.now += 0.003
    assert counters.admit("a", 60, limit=10).admitted


def test_concurrent_admits_admit_the_limit_exactly(counters: WindowCounters) -> None:
    with ThreadPoolExecutor(8) as pool:
        tries = list(pool.map(lambda _: counters.admit("hot", 3600, limit=150), range(200)))
    assert sum(t.admitted for t in tries) == 150
    assert sorted(t.count for t in tries if t.admitted) == list(range(1, 151))


def test_stale_sliding_windows_are_swept(database: Database, clock: Clock) -> None:
    if not isinstance(database, SqlDatabase):
        pytest.skip("the memory counters sweep by size, not by count of hits")
    counters = SqlWindowCounters(database.engine, clock)
    counters.admit("old", 60, limit=5)
    clock.now += 120  # two windows on: neither the current one nor the previous
    for n in range(1000):
        counters.admit(f"new-{n % 3}", 60, limit=5)
    with database.engine.connect() as connection:
        keys = {row[0] for row in connection.exec_driver_sql("SELECT key FROM sliding_counters")}
    assert keys == {"new-0/60", "new-1/60", "new-2/60"}
