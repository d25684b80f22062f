"""The merchant dashboard's reports: overview, offers, customers, decisions, backtests.

Reads go through `DashboardReports` (decision, offer and order logs) and `HistoryReads` (the
order history, for lifetime value and cohorts); the statistics are `tactful.domain.dashboard`.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

from tactful.domain.dashboard import (
    DayPoint,
    Lift,
    Period,
    customers_needed,
    daily_incremental,
    outcomes_of,
    revenue_lift,
    srm_p_value,
)
from tactful.domain.measurement import OfferOutcome, Overview
from tactful.domain.measurement.comparison import Lift as MeasuredLift
from tactful.services.cohorts import cohort_report
from tactful.services.customers_report import (
    CLV_MIN_CUSTOMERS,
    CUSTOMERS_CACHE_SECONDS,
    CustomersReport,
)
from tactful.services.dashboard_figures import DashboardFigures
from tactful.services.figure_cache import FigureCache, figures_key
from tactful.services.lifetime import fit_lifetime, stored_purchases
from tactful.services.ports.dashboard import (
    BacktestArchive,
    DailyActivity,
    DashboardReports,
    DashboardRollups,
    DecisionSummary,
    OfferStats,
)
from tactful.services.ports.history import HistoryReads
from tactful.services.reports import ReportService, ReportSpan

__all__ = [
    "CustomersReport",
    "DashboardService",
    "Funnel",
    "MomentStats",
    "OffersReport",
    "OverviewReport",
]

COMPUTING = (
    "Lifetime value and cohorts are being computed on the whole order history; "
    "reload this page in a minute."
)
CUSTOMERS_KEY = "customers"
CURRENCY_KEY = "currency"


@dataclass(frozen=True)
class Funnel:
    """Offers shown, accepted, paid for and refunded (lines), and their money."""

    impressions: int
    accepted: int
    paid: int
    refunded_value: int
    revenue: int
    refunded: int
    """Paid offer lines refunded, in full or by line."""


@dataclass(frozen=True)
class MomentStats:
    """Offers and answers at one moment (checkout, post-purchase, ...)."""

    moment: str
    impressions: int
    accepted: int
    declined: int
    net_revenue: int

    @property
    def acceptance(self) -> float | None:
        """Accepted per impression."""
        return self.accepted / self.impressions if self.impressions else None


@dataclass(frozen=True)
class OverviewReport:
    """What the overview page shows: incremental revenue, activity, funnel, holdout health."""

    period: Period
    currency: str
    lift: Lift
    incremental_series: list[DayPoint]
    activity: list[DailyActivity]
    funnel: Funnel
    moments: list[MomentStats]
    decisions: int
    srm_p_value: float | None
    holdout_share: float
    customers_needed: int
    measured: Overview | None = None
    """The measurement's overview (CUPED, sequential, Bayesian, ratio metrics), when wired."""
    satisfaction: MeasuredLift | None = None
    segment: str = "customer"
    segments: dict[str, Overview] = field(default_factory=dict)
    """Each value of the segment's dimension (`country:France`): its own comparison."""

    @property
    def incremental(self) -> tuple[float, float, float] | None:
        """Incremental revenue (estimate, low, high): CUPED-adjusted when measured."""
        if self.measured is not None:
            return self.measured.incremental
        return self.lift.incremental()

    @property
    def arms(self) -> tuple[int, int]:
        """(treated, held out) customers behind the comparison."""
        if self.measured is not None:
            return self.measured.treated, self.measured.held_out
        return self.lift.treated, self.lift.held_out

    @property
    def acceptance(self) -> float | None:
        """Accepted per offer shown, over the period."""
        f = self.funnel
        return f.accepted / f.impressions if f.impressions else None

    @property
    def srm_warning(self) -> bool:
        """The split looks broken: the sample-ratio test rejects at p < 0.001."""
        return self.srm_p_value is not None and self.srm_p_value < 0.001


@dataclass(frozen=True)
class OffersReport:
    """Offers by item, kind and moment: the logs' own counts, and the measurement's outcomes
    (converted within the attribution window) when it is wired."""

    stats: list[OfferStats]
    outcomes: list[OfferOutcome] | None
    names: dict[str, str]
    currency: str
    attribution_days: float | None


@dataclass
class DashboardService:
    """Builds each dashboard page's figures from the stored logs."""

    reports: DashboardReports
    history: HistoryReads
    holdout_share: float
    backtests: BacktestArchive
    measurement: ReportService | None = None
    """The measurement service (`tactful report`): its statistics head the overview."""
    rollups: DashboardRollups | None = None
    """The daily rollups: whole days of the chart and the offers are read from them."""
    cache: FigureCache = field(default_factory=FigureCache, repr=False)
    """Figures kept in memory for a minute and, when it has a store, for every process."""
    _customers: tuple[float, CustomersReport] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _computing: threading.Thread | None = field(default=None, repr=False)

    def period(self, days: int | None = None) -> Period:
        """The last `days` days up to the newest decision, or all of the log (None)."""
        span = self.reports.time_span()
        if span is None:
            now = datetime.now(UTC)
            return Period(now - timedelta(days=days or 28), now)
        end = datetime.combine(span[1].date() + timedelta(days=1), datetime.min.time(), UTC)
        if days is None:
            start = datetime.combine(span[0].date(), datetime.min.time(), UTC)
        else:
            start = end - timedelta(days=days)
        return Period(start, end)

    def overview(self, period: Period, segment: str = "customer") -> OverviewReport:
        """Incremental revenue with its interval over time, acceptance, funnel and SRM, and
        the lift of each value of the `segment` dimension."""
        key = figures_key("overview", period, segment)
        return self.cache.reuse(key, lambda: self._overview(period, segment))

    @property
    def figures(self) -> DashboardFigures:
        """Activity and offer figures, from the rollups where they hold the days."""
        return DashboardFigures(self.reports, self.rollups)

    def _overview(self, period: Period, segment: str = "customer") -> OverviewReport:
        measured, satisfaction = None, None
        segments: dict[str, Overview] = {}
        if self.measurement is None:
            outcomes = self.reports.outcomes(period)
        else:
            span = ReportSpan(period.since, period.until)
            inputs = self.measurement.read_inputs(span)
            outcomes = outcomes_of(inputs.exposures, inputs.orders, until=period.until)
            measured, _, satisfaction, segments = self.measurement.compute_overview(
                span, segment, inputs=inputs
            )
        lift = revenue_lift(outcomes)
        activity = self.figures.activity(period)
        days = _days(period)
        offers = self._offer_stats(period)
        decisions = sum(a.decisions for a in activity)
        srm = srm_p_value(lift.treated, lift.held_out, self.holdout_share)
        accepted = sum(o.accepted for o in offers)
        shown = sum(o.impressions for o in offers)
        return OverviewReport(
            period=period,
            currency=outcomes.currency,
            lift=lift,
            incremental_series=daily_incremental(outcomes, days),
            activity=activity,
            funnel=Funnel(
                impressions=shown,
                accepted=accepted,
                paid=sum(o.paid for o in offers),
                refunded_value=sum(o.refunded for o in offers),
                revenue=sum(o.revenue for o in offers),
                refunded=sum(o.refunded_lines for o in offers),
            ),
            moments=by_moment(offers),
            decisions=decisions,
            srm_p_value=srm if measured is None else measured.srm_p_value,
            holdout_share=self.holdout_share,
            customers_needed=(measured.sample_needed if measured else None)
            or customers_needed(accepted / shown if shown else 0.05, 0.2),
            measured=measured,
            satisfaction=satisfaction,
            segment=segment,
            segments={name: found for name, found in segments.items() if ":" in name},
        )

    def offers(self, period: Period) -> tuple[list[OfferStats], str]:
        """Every offered item per moment, most shown first, and the currency of the figures."""
        currency = self.cache.reuse(CURRENCY_KEY, lambda: self.reports.currency())
        return self._offer_stats(period), currency

    def offer_outcomes(self, period: Period, segment: str | None = None) -> OffersReport:
        """Each offer's outcomes: converted within the attribution window when measured, of
        every customer or of one segment's (`country:FR`, as `tactful report --segment`)."""
        stats, currency = self.offers(period)
        if self.measurement is None:
            return OffersReport(stats, None, {s.sku: s.name for s in stats}, currency, None)
        outcomes = self.cache.reuse(
            figures_key("outcomes", period, segment),
            lambda: self._offer_outcomes(period, segment),
        )
        days = self.measurement.attribution.total_seconds() / 86_400
        return OffersReport(stats, outcomes, {s.sku: s.name for s in stats}, currency, days)

    def segment_values(self, period: Period, dimension: str) -> list[tuple[str, int]]:
        """Each value of `dimension` with its customers over the period, most first: the
        overview's split (so both pages offer the same values, from one computation)."""
        found = self.overview(period, dimension).segments
        return [(name.partition(":")[2], o.treated + o.held_out) for name, o in found.items()]

    def _offer_outcomes(self, period: Period, segment: str | None = None) -> list[OfferOutcome]:
        if self.measurement is None:
            return []
        return self.measurement.compute_offers(ReportSpan(period.since, period.until), segment)

    def standard_figures(
        self, periods: Iterable[int | None]
    ) -> list[tuple[str, Callable[[], object]]]:
        """What the worker keeps stored, as (key, computation): each period's offer figures,
        outcomes and overview (the overview sums the offer figures just computed), then the
        customers page; no periods before the first decision."""
        work: list[tuple[str, Callable[[], object]]] = []
        logged = self.reports.time_span() is not None
        for days in periods if logged else ():
            period = self.period(days)
            work.append((figures_key("offers", period), partial(self.figures.offer_stats, period)))
            if self.measurement is not None:
                work.append(
                    (figures_key("outcomes", period), partial(self._offer_outcomes, period))
                )
            overview = partial(self._overview, period, "customer")
            work.append((figures_key("overview", period, "customer"), overview))
        work += [(CURRENCY_KEY, self.reports.currency), (CUSTOMERS_KEY, self._customers_report)]
        return work

    def _offer_stats(self, period: Period) -> list[OfferStats]:
        key = figures_key("offers", period)
        return self.cache.reuse(key, lambda: self.figures.offer_stats(period))

    def decisions(self, limit: int = 50, before: datetime | None = None) -> list[DecisionSummary]:
        """The newest decisions with their offers and answers."""
        return self.reports.recent_decisions(limit, before=before)

    def decision(self, decision_id: str) -> DecisionSummary | None:
        """One decision with its offers and answers."""
        return self.reports.decision(decision_id)

    def backtest_results(self) -> list[tuple[str, dict[str, Any]]]:
        """Saved backtest reports, newest first."""
        return self.backtests.results()

    def customers(self, wait: float = 5.0) -> CustomersReport:
        """CLV fit on the stored history and cohorts, recomputed at most every 10 minutes.

        The fit runs in a thread of its own: a request waits for it at most `wait` seconds,
        then gets the previous report, or one saying the figures are being computed.
        """
        with self._lock:
            cached = self._customers
            if cached is not None and time.monotonic() - cached[0] < CUSTOMERS_CACHE_SECONDS:
                return cached[1]
            stored = self.cache.load(CUSTOMERS_KEY)
            if isinstance(stored, CustomersReport):
                self._customers = (time.monotonic(), stored)
                return stored
            if self._computing is None:
                self._computing = threading.Thread(
                    target=self._refresh_customers, name="dashboard-customers", daemon=True
                )
                self._computing.start()
            worker = self._computing
        worker.join(wait)
        with self._lock:
            if self._customers is not None:
                return self._customers[1]
        return CustomersReport(None, None, COMPUTING)

    def _refresh_customers(self) -> None:
        try:
            started = self.cache.clock.now()
            report = self._customers_report()
            self.cache.keep(CUSTOMERS_KEY, report, computed_at=started)
            with self._lock:
                self._customers = (time.monotonic(), report)
        finally:
            with self._lock:
                self._computing = None

    def _customers_report(self) -> CustomersReport:
        try:
            cohorts = cohort_report(self.history)
        except ValueError as exc:
            return CustomersReport(None, None, str(exc))
        try:
            log = stored_purchases(self.history)
            if log.customers.size < CLV_MIN_CUSTOMERS:
                return CustomersReport(
                    None, cohorts, "Not enough customers with orders yet to fit lifetime value."
                )
            end = date(1970, 1, 1) + timedelta(days=int(log.days.max()))
            return CustomersReport(fit_lifetime(log, calibration_end=end), cohorts, None)
        except (ValueError, FloatingPointError, RuntimeError) as exc:
            return CustomersReport(None, cohorts, f"Lifetime value could not be fitted: {exc}")


def by_moment(offers: list[OfferStats]) -> list[MomentStats]:
    """Offer figures summed per moment, most shown first."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for offer in offers:
        entry = sums[offer.moment]
        entry[0] += offer.impressions
        entry[1] += offer.accepted
        entry[2] += offer.declined + offer.dismissed
        entry[3] += offer.net_revenue
    rows = [MomentStats(moment, *values) for moment, values in sums.items()]
    return sorted(rows, key=lambda row: -row.impressions)


def _days(period: Period) -> list[date]:
    first, last = period.since.date(), (period.until - timedelta(microseconds=1)).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
