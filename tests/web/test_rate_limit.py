"""Token buckets: a minute's burst, then an even refill; never more than the rate allows."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tactful.web.rate_limit import TokenBuckets, retry_after


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_a_wait_then_one_more() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(60, clock)
    assert all(buckets.take("a") == 0 for _ in range(60))
    wait = buckets.take("a")
    assert wait == 1.0
    assert retry_after(wait) == 1
    clock.now += 1.0
    assert buckets.take("a") == 0
    assert buckets.take("a") > 0


def test_callers_are_counted_apart_and_zero_means_unlimited() -> None:
    buckets = TokenBuckets(1, FakeClock())
    assert buckets.take(("pk", "1.1.1.1")) == 0
    assert buckets.take(("pk", "1.1.1.1")) > 0
    assert buckets.take(("pk", "2.2.2.2")) == 0
    unlimited = TokenBuckets(0, FakeClock())
    assert not unlimited.enabled
    assert all(unlimited.take("a") == 0 for _ in range(10_000))


@given(
    per_minute=st.integers(1, 120),
    gaps=st.lists(st.floats(0, 5, allow_nan=False), min_size=1, max_size=300),
)
def test_allowed_calls_never_exceed_burst_plus_refill(per_minute: int, gaps: list[float]) -> None:
    clock = FakeClock()
    buckets = TokenBuckets(per_minute, clock)
    allowed = 0
    for gap in gaps:
        clock.now += gap
        allowed += buckets.take("caller") == 0
    assert allowed <= per_minute + clock.now * per_minute / 60 + 1e-9
