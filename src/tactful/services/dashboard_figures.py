"""The dashboard's activity chart and offer figures: whole days from the daily rollups, the
hours outside them from the raw log, added up the same way either way."""

from __future__ import annotations

from dataclasses import dataclass

from tactful.domain.dashboard import Period
from tactful.services.ports.dashboard import (
    DailyActivity,
    DashboardReports,
    DashboardRollups,
    OfferStats,
    merge_activity,
    merge_offer_stats,
)
from tactful.services.rollups import RollupSpan, split_span

__all__ = ["DashboardFigures"]


@dataclass(frozen=True)
class DashboardFigures:
    """Reads each figure from the rollups for the days they hold, the raw log for the rest."""

    reports: DashboardReports
    rollups: DashboardRollups | None = None

    def _parts(self, period: Period) -> RollupSpan:
        held = self.rollups.rolled_range() if self.rollups is not None else None
        return split_span(period.since, period.until, held)

    def activity(self, period: Period) -> list[DailyActivity]:
        """Each day's decisions, offers shown, answers and offer revenue, oldest first."""
        parts = self._parts(period)
        found = [a for since, until in parts.raw for a in self.reports.daily(Period(since, until))]
        if parts.rolled is not None and self.rollups is not None:
            first, end = parts.rolled
            found += self.rollups.rolled_activity(first_day=first, end_day=end)
        return merge_activity(found)

    def offer_stats(self, period: Period) -> list[OfferStats]:
        """Each offered item per kind and moment, most shown first."""
        parts = self._parts(period)
        found = [
            stats
            for since, until in parts.raw
            for _, stats in self.reports.offer_stats_by_day(Period(since, until))
        ]
        if parts.rolled is not None and self.rollups is not None:
            first, end = parts.rolled
            found += self.rollups.rolled_offer_stats(first_day=first, end_day=end)
        return merge_offer_stats(found)
