"""When a mail may go out: the customer's local clock, quiet hours and the send window."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tactful.domain.sequences.definition import Hours


def zone(name: str | None) -> ZoneInfo:
    """The customer's time zone; an unknown or empty name is UTC."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def allowed(at: datetime, tz: ZoneInfo, quiet: Hours, window: Hours | None) -> bool:
    """Whether a mail may arrive at `at`: outside quiet hours and inside the send window."""
    local = at.astimezone(tz).time()
    if quiet.contains(local):
        return False
    return window is None or window.contains(local)


def send_time(
    earliest: datetime, tz_name: str | None, quiet: Hours, window: Hours | None
) -> datetime:
    """The first instant at or after `earliest` (UTC) when a mail may arrive, in UTC.

    Candidates are `earliest` itself and the local times the allowed span opens (end of quiet
    hours, start of the window) on the next days; DST gaps are resolved by zoneinfo.
    """
    tz = zone(tz_name)
    if allowed(earliest, tz, quiet, window):
        return earliest
    opens = [quiet.end] + ([window.start] if window is not None else [])
    day = earliest.astimezone(tz).date()
    for offset in range(0, 4):
        candidates = sorted(
            _utc(datetime.combine(day + timedelta(days=offset), t, tzinfo=tz)) for t in opens
        )
        for candidate in candidates:
            if candidate >= earliest and allowed(candidate, tz, quiet, window):
                return candidate
    return _utc(datetime.combine(day + timedelta(days=1), quiet.end, tzinfo=tz))


def _utc(local: datetime) -> datetime:
    return local.astimezone(UTC)


def local_time(at: datetime, tz_name: str | None) -> time:
    """The customer's wall-clock time at `at`."""
    return at.astimezone(zone(tz_name)).time()


def after_wait(at: datetime, wait: timedelta, tz_name: str | None) -> datetime:
    """`at` plus `wait` counted on the customer's wall clock (a day stays a day across DST)."""
    local = at.astimezone(zone(tz_name))
    return _utc(local + wait)
