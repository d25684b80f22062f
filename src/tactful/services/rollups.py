"""Daily rollups of what reports read, rebuilt from the raw log (the nightly job), and
today's hours rolled up as they pass (the hourly one).

Each whole UTC day's exposures and offer outcomes are computed by the same raw reads a report
makes over that day, so a report reading the rollups for the days they hold gives the numbers
the raw log gives. Late answers and purchases (up to the attribution window after an offer)
change recent days, so each run rebuilds the last window's days as well as the new ones.
Today's hours, [midnight, the last whole hour), are read the same way and replaced every hour,
so a report late in the day reads at most the last hour or so raw instead of the whole day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from tactful.domain.clock import Clock
from tactful.domain.dashboard import Period
from tactful.domain.measurement import Exposure, OfferOutcome, offer_outcomes
from tactful.services.ports.dashboard import DailyActivity, DashboardReports, OfferStats
from tactful.services.ports.measurement import MeasurementReads, MeasurementRollups

__all__ = ["SETTLE", "RollupService", "RollupSpan", "day_start", "split_span"]

SETTLE = timedelta(minutes=1)
"""How long after an hour ends its decisions are taken as all logged (in-flight ones)."""


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of `day`."""
    return datetime.combine(day, time(0), tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class RollupSpan:
    """A report span cut into raw edges and the whole days read from rollups."""

    raw: tuple[tuple[datetime, datetime], ...]
    rolled: tuple[date, date] | None


def split_span(
    since: datetime,
    until: datetime,
    held: tuple[date, date] | None,
    hours_until: datetime | None = None,
) -> RollupSpan:
    """[since, until) as rollup days (those whole days the rollups hold, and the day they end
    at as far as `hours_until` when the span holds all of that) and raw edges."""
    whole = _split_days(since, until, held)
    if held is None or hours_until is None:
        return whole
    midnight = day_start(held[1])
    if not since <= midnight < hours_until <= until:
        return whole
    low = held[1] if whole.rolled is None else whole.rolled[0]
    edges = ((since, day_start(low)), (hours_until, until))
    rolled = (low, held[1] + timedelta(days=1))
    return RollupSpan(tuple(edge for edge in edges if edge[0] < edge[1]), rolled)


def _split_days(since: datetime, until: datetime, held: tuple[date, date] | None) -> RollupSpan:
    if held is None:
        return RollupSpan(((since, until),), None)
    first = since.astimezone(UTC).date()
    if day_start(first) < since:
        first += timedelta(days=1)
    end = until.astimezone(UTC).date()
    low, high = max(first, held[0]), min(end, held[1])
    if low >= high:
        return RollupSpan(((since, until),), None)
    edges = ((since, day_start(low)), (day_start(high), until))
    return RollupSpan(tuple(edge for edge in edges if edge[0] < edge[1]), (low, high))


class RollupService:
    """Builds the daily rollups from the raw reads; as due work, once a day."""

    name = "rollups"

    def __init__(
        self,
        reads: MeasurementReads,
        rollups: MeasurementRollups,
        clock: Clock,
        *,
        attribution: timedelta,
        dashboard: DashboardReports | None = None,
    ) -> None:
        self.reads = reads
        self.dashboard = dashboard
        self.rollups = rollups
        self.clock = clock
        self.attribution = attribution

    def run_due(self, now: datetime) -> int:
        """The nightly job (rebuild once the day the rollups end at has passed), then the
        hourly one (today's hours, once another has passed): days and hours rebuilt."""
        today = now.astimezone(UTC).date()
        held = self.rollups.rolled_range()
        days = 0
        if held is None or held[1] < today:
            built = self.rebuild(today=today)["days"]
            days = built if isinstance(built, int) else 0
        return days + self.roll_hours(now)

    def roll_hours(self, now: datetime) -> int:
        """Roll up the hours of the day the whole days end at, from midnight to the last hour
        that ended (and settled) before `now`, unless they are so already: 1 if rebuilt."""
        held = self.rollups.rolled_range()
        if held is None:
            return 0
        midnight = day_start(held[1])
        settled = (now - SETTLE).astimezone(UTC)
        until = settled.replace(minute=0, second=0, microsecond=0)
        if not midnight < until <= midnight + timedelta(days=1):
            return 0
        if self.rollups.rolled_until() == until:
            return 0
        exposures, offers = self._read(midnight, until)
        self.rollups.replace_hours(day=held[1], until=until, exposures=exposures, offers=offers)
        return 1

    def _read(self, since: datetime, until: datetime) -> tuple[list[Exposure], list[OfferOutcome]]:
        """The exposures and offer outcomes of [since, until), as a report reads them raw."""
        funnel = self.reads.funnel(since=since, until=until)
        credited = self.reads.conversions(since=since, until=until, attribution=self.attribution)
        return self.reads.exposures(since=since, until=until), offer_outcomes(funnel, credited)

    def rebuild(self, *, since: date | None = None, today: date | None = None) -> dict[str, object]:
        """Rebuild [since, today): by default the days not built yet and the last attribution
        window's (late answers), or every day since the first decision on a first run."""
        today = today or self.clock.now().astimezone(UTC).date()
        first = since or self._default_start(today)
        if first is None or first >= today:
            return {"days": 0, "from": None, "to": None}
        exposures: list[tuple[date, Exposure]] = []
        offers: list[tuple[date, OfferOutcome]] = []
        day = first
        while day < today:
            found, outcomes = self._read(day_start(day), day_start(day + timedelta(days=1)))
            exposures += [(day, e) for e in found]
            offers += [(day, o) for o in outcomes]
            day += timedelta(days=1)
        activity, offer_stats = self._dashboard_days(first, today)
        self.rollups.replace_days(
            first_day=first,
            end_day=today,
            exposures=exposures,
            offers=offers,
            built_at=self.clock.now(),
            activity=activity,
            offer_stats=offer_stats,
        )
        return {"days": (today - first).days, "from": first.isoformat(), "to": today.isoformat()}

    def _dashboard_days(
        self, first: date, end: date
    ) -> tuple[list[DailyActivity], list[tuple[date, OfferStats]]]:
        """The dashboard's activity and offer figures of each day, in one grouped read each."""
        if self.dashboard is None:
            return [], []
        period = Period(day_start(first), day_start(end))
        return self.dashboard.daily(period), self.dashboard.offer_stats_by_day(period)

    def _default_start(self, today: date) -> date | None:
        held = self.rollups.rolled_range()
        if held is None:
            oldest = self.rollups.first_decision_at()
            return None if oldest is None else oldest.astimezone(UTC).date()
        lookback = timedelta(days=math.ceil(self.attribution.total_seconds() / 86400) + 1)
        return max(held[0], min(held[1], today) - lookback)
