"""Timing rules: quiet hours and send windows in the customer's zone, across DST."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tactful.domain.sequences import (
    DEFAULT_QUIET,
    EmailCaps,
    Hours,
    after_wait,
    allowed,
    send_time,
    zone,
)

ZONES = [
    "UTC",
    "Europe/London",
    "America/New_York",
    "Pacific/Auckland",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "America/Sao_Paulo",
]
WINDOWS = st.one_of(
    st.none(), st.just(Hours(time(9), time(19))), st.just(Hours(time(12), time(14)))
)


@settings(max_examples=300, deadline=None)
@given(
    at=st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    tz=st.sampled_from(ZONES),
    window=WINDOWS,
)
def test_send_time_is_never_in_quiet_hours_and_never_early(
    at: datetime, tz: str, window: Hours | None
) -> None:
    due = send_time(at, tz, DEFAULT_QUIET, window)
    assert due >= at
    assert due - at < timedelta(days=2)
    assert allowed(due, zone(tz), DEFAULT_QUIET, window)


def test_a_day_stays_a_day_on_the_wall_clock_across_dst() -> None:
    before = datetime(2026, 3, 28, 9, 0, tzinfo=UTC)  # 09:00 in London, before the change
    after = after_wait(before, timedelta(days=1), "Europe/London")
    assert after.astimezone(zone("Europe/London")).time() == time(9, 0)
    assert after - before == timedelta(hours=23)


def test_caps_hold_two_a_week_and_twenty_hours_apart() -> None:
    caps = EmailCaps()
    now = datetime(2026, 3, 2, 12, tzinfo=UTC)
    assert caps.next_allowed([], now) == now
    assert caps.next_allowed([now - timedelta(hours=2)], now) == now + timedelta(hours=18)
    two = [now - timedelta(days=3), now - timedelta(days=1)]
    assert caps.next_allowed(two, now) == now + timedelta(days=4)
