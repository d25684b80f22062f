"""Due work: the dashboard's standard figures recomputed and stored before a merchant asks.

Every page of every standard period (and the customers page) whose stored figures are missing
(a new day moved the periods) or older than `REFRESH_AFTER` is computed again from the logs
and the daily rollups, exactly as a view would compute it, and stored; a first view then reads
the stored figures. Figures nobody refreshed for a day (past periods, other segments) are
dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from tactful.services.dashboard import DashboardService
from tactful.services.figure_cache import REFRESH_AFTER

__all__ = ["STANDARD_PERIODS", "DashboardRefresh"]

STANDARD_PERIODS: tuple[int | None, ...] = (7, 28, 90, None)
"""The periods the dashboard offers (days; None: all of the log), as web/admin/routes.PERIODS."""
KEEP_UNUSED = timedelta(days=1)


class DashboardRefresh:
    """Keeps the standard pages' stored figures fresh (`tactful worker`, the demo thread)."""

    name = "dashboard"

    def __init__(
        self, dashboard: DashboardService, periods: Sequence[int | None] = STANDARD_PERIODS
    ) -> None:
        self.dashboard = dashboard
        self.periods = tuple(periods)

    def run_due(self, now: datetime) -> int:
        """Recompute the figures that are due; how many were."""
        cache = self.dashboard.cache
        if cache.stored is None:
            return 0
        done = 0
        work = dict(self.dashboard.standard_figures(self.periods))  # periods may coincide
        for key, compute in work.items():
            computed = cache.stored_at(key)
            if computed is None or now - computed >= REFRESH_AFTER:
                cache.refresh(key, compute)
                done += 1
        if done:
            cache.stored.forget_before(now - KEEP_UNUSED)
        return done
