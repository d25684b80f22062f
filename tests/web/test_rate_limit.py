"""The publishable rate limit: `per_minute` calls per caller in each minute of the clock."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tactful.adapters.memory.counters import MemoryWindowCounters
from tactful.web.rate_limit import RateLimit, caller_key, retry_after

MINUTE = 1_800_000_000.0  # the start of a minute


class FakeClock:
    def __init__(self) -> None:
        self.now = MINUTE

    def __call__(self) -> float:
        return self.now


def limit(per_minute: int, clock: FakeClock) -> RateLimit:
    return RateLimit(MemoryWindowCounters(clock), per_minute, offload=False)


def test_a_minute_of_calls_then_a_wait_until_the_next_minute() -> None:
    clock = FakeClock()
    limited = limit(60, clock)
    assert all(limited.take("a") == 0 for _ in range(60))
    clock.now += 20
    wait = limited.take("a")
    assert wait == 40.0
    assert retry_after(wait) == 40
    clock.now += 40
    assert limited.take("a") == 0


def test_callers_are_counted_apart_and_zero_means_unlimited() -> None:
    limited = limit(1, FakeClock())
    assert limited.take("pk 1.1.1.1") == 0
    assert limited.take("pk 1.1.1.1") > 0
    assert limited.take("pk 2.2.2.2") == 0
    unlimited = limit(0, FakeClock())
    assert not unlimited.enabled
    assert all(unlimited.take("a") == 0 for _ in range(10_000))


def test_the_stored_key_does_not_hold_the_publishable_key() -> None:
    assert "pk_live_secret" not in caller_key("pk_live_secret 1.1.1.1")


@given(
    per_minute=st.integers(1, 120),
    gaps=st.lists(st.floats(0, 5, allow_nan=False), min_size=1, max_size=300),
)
def test_allowed_calls_never_exceed_the_limit_of_each_minute(
    per_minute: int, gaps: list[float]
) -> None:
    clock = FakeClock()
    limited = limit(per_minute, clock)
    allowed: dict[int, int] = {}
    for gap in gaps:
        clock.now += gap
        minute = int(clock.now // 60)
        allowed[minute] = allowed.get(minute, 0) + (limited.take("caller") == 0)
    assert max(allowed.values()) <= per_minute
