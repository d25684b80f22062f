"""The publishable rate limit: `per_minute` calls per caller in a sliding minute.

The sliding minute is estimated from two clock minutes (this one's admitted calls, plus last
minute's weighted by the share of this minute still to come). What that guarantees, whatever
the caller does (the properties below):
- a span of s seconds (s <= 60) admits at most per_minute x (1 + s/60) calls. Across a
  minute's end a burst gets the limit and s/60 of it more: in the second around 12:01:00,
  at most 61 of a limit of 60, where fixed clock minutes admitted 120;
- a whole 60-second span can still admit up to twice the limit, when a caller spends the
  limit at the very end of one minute and then calls steadily through the next: with two
  counts the limiter cannot tell that from the same calls spread over the minute, which it
  must let through at the full rate. No estimate from two windows bounds it tighter (only
  a log of each call's time would);
- Retry-After is exact: one call after it is admitted, one call just before it is not.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tactful.adapters.memory.counters import MemoryWindowCounters
from tactful.web.rate_limit import RateLimit, caller_key, retry_after

MINUTE = 1_800_000_000.0  # the start of a minute
MS = 0.001


class FakeClock:
    def __init__(self) -> None:
        self.now = MINUTE

    def __call__(self) -> float:
        return self.now


def limit(per_minute: int, clock: FakeClock) -> RateLimit:
    return RateLimit(MemoryWindowCounters(clock), per_minute, offload=False)


def test_a_minute_of_calls_then_a_wait_for_the_sliding_minute() -> None:
    clock = FakeClock()
    limited = limit(60, clock)
    assert all(limited.take("a") == 0 for _ in range(60))
    clock.now += 20
    wait = limited.take("a")
    assert wait == 41.0  # one second into the next minute, 59 of the 60 still weigh
    assert retry_after(wait) == 41
    clock.now += 40
    assert limited.take("a") > 0  # a fixed clock minute would admit 60 more here
    clock.now += 1
    assert limited.take("a") == 0


def test_a_burst_across_the_minute_end_gets_the_limit_not_twice_it() -> None:
    clock = FakeClock()
    limited = limit(60, clock)
    clock.now += 59.5
    assert sum(limited.take("a") == 0 for _ in range(100)) == 60
    clock.now += 1  # half a second into the next minute
    assert sum(limited.take("a") == 0 for _ in range(100)) == 0
    wait = limited.take("a")
    assert wait == 0.5  # then about one a second as the burst's weight runs out
    clock.now += wait
    assert sum(limited.take("a") == 0 for _ in range(100)) == 1


def test_a_whole_minute_can_still_hold_nearly_twice_the_limit() -> None:
    """The estimate's known worst case, kept in sight: the limit spent in a minute's last
    tenth of a second, then calls every half second through the next minute."""
    clock = FakeClock()
    limited = limit(60, clock)
    clock.now += 59.9
    admitted = [clock.now for _ in range(60) if limited.take("a") == 0]
    for _ in range(119):
        clock.now += 0.5
        if limited.take("a") == 0:
            admitted.append(clock.now)
    assert most_in_a_span(admitted, 60.0) == 119  # of 60 x (1 + 59.6/60) = 119.6 at most


def test_a_caller_past_the_limit_still_gets_the_limits_rate() -> None:
    clock = FakeClock()
    limited = limit(60, clock)
    admitted_per_minute = []
    for _ in range(5):
        admitted = 0
        for _ in range(240):  # four calls a second, four times the limit
            admitted += limited.take("a") == 0
            clock.now += 0.25
        admitted_per_minute.append(admitted)
    assert admitted_per_minute[0] == 60
    assert all(59 <= n <= 61 for n in admitted_per_minute[1:]), admitted_per_minute


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


def most_in_a_span(times: list[float], span: float) -> int:
    """The most calls of `times` (sorted) that one closed span of `span` seconds holds."""
    most, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] > span:
            first += 1
        most = max(most, last - first + 1)
    return most


calls = st.lists(
    st.one_of(st.floats(0, 2), st.floats(0, 61), st.just(0.0)),
    min_size=1,
    max_size=400,
)


@given(per_minute=st.integers(1, 120), gaps=calls)
def test_a_span_of_s_seconds_admits_at_most_the_limit_times_1_plus_s_over_60(
    per_minute: int, gaps: list[float]
) -> None:
    clock = FakeClock()
    limited = limit(per_minute, clock)
    admitted = []
    for gap in gaps:
        clock.now += gap
        if limited.take("caller") == 0:
            admitted.append(clock.now)
    for span in (0.0, 0.5, 1.0, 5.0, 15.0, 30.0, 59.0, 60.0):
        # A millisecond of slack: times are counted in whole milliseconds.
        bound = per_minute * (1 + (span + MS) / 60)
        assert most_in_a_span(admitted, span) <= bound, (span, admitted)


@given(per_minute=st.integers(1, 120), gaps=calls)
def test_retry_after_is_exact(per_minute: int, gaps: list[float]) -> None:
    clock = FakeClock()
    limited = limit(per_minute, clock)
    for gap in gaps:
        clock.now += gap
        wait = limited.take("caller")
        if wait == 0:
            continue
        refused_at = clock.now
        if wait > 2 * MS:
            clock.now = refused_at + wait - 2 * MS
            assert limited.take("caller") > 0
        clock.now = refused_at + wait + MS
        assert limited.take("caller") == 0
