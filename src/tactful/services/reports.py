"""Reports of what offers did: the overview against the holdout, and each offer's outcomes.

Reads through `MeasurementReads`, computes with `tactful.domain.measurement`, and returns
plain data for JSON, the terminal and the dashboard alike (money in minor units).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tactful.domain.clock import Clock
from tactful.domain.measurement import (
    MIN_GROUP,
    Lift,
    OfferOutcome,
    Overview,
    OverviewSettings,
    customer_outcomes,
    offer_outcomes,
    overview,
    satisfaction_groups,
)
from tactful.domain.measurement.comparison import compare_means
from tactful.domain.measurement.samples import SampleStats
from tactful.services.ports.feedback import FeedbackStore
from tactful.services.ports.measurement import MeasurementReads
from tactful.services.report_data import offers_data, overview_data

__all__ = ["DEFAULT_SPAN", "PRE_PERIOD", "ReportService", "ReportSpan"]

DEFAULT_SPAN = timedelta(days=28)
PRE_PERIOD = timedelta(days=90)
"""How far before a customer's first decision their spend is read as the CUPED covariate."""


@dataclass(frozen=True, slots=True)
class ReportSpan:
    """[since, until) in UTC."""

    since: datetime
    until: datetime


class ReportService:
    """The overview and offers reports over a span (default: the last 28 days)."""

    def __init__(
        self,
        reads: MeasurementReads,
        clock: Clock,
        *,
        holdout_share: float,
        attribution: timedelta = timedelta(days=7),
        detectable_effect: float = 0.05,
        feedback: FeedbackStore | None = None,
    ) -> None:
        self.reads = reads
        self.feedback = feedback
        self.clock = clock
        self.attribution = attribution
        self.settings = OverviewSettings(
            holdout_share=holdout_share, detectable_effect=detectable_effect
        )

    def span(self, since: datetime | None = None, until: datetime | None = None) -> ReportSpan:
        """The span asked for, its open ends filled: until now, since 28 days before until."""
        end = until or self.clock.now()
        start = since or end - DEFAULT_SPAN
        if start >= end:
            raise ValueError("from: must be before to")
        return ReportSpan(start, end)

    def compute_overview(
        self, span: ReportSpan
    ) -> tuple[Overview, list[OfferOutcome], Lift | None]:
        """The overview's statistics, the offers' outcomes it sums its funnel from, and
        satisfaction (mean rating per rating customer) against the holdout."""
        exposures = self.reads.exposures(since=span.since, until=span.until)
        orders = self.reads.order_totals(since=span.since - PRE_PERIOD, until=span.until)
        outcomes = customer_outcomes(exposures, orders, until=span.until, pre_period=PRE_PERIOD)
        satisfaction = None
        if self.feedback is not None:
            given = self.feedback.ratings(since=span.since, until=span.until)
            rated = [(f.customer_id, f.rating) for f in given if f.customer_id is not None]
            treated, held = satisfaction_groups(exposures, rated)
            if min(treated.size, held.size) >= MIN_GROUP:
                satisfaction = compare_means(SampleStats.of(treated), SampleStats.of(held))
        return overview(outcomes, self.settings), self.compute_offers(span), satisfaction

    def compute_offers(self, span: ReportSpan) -> list[OfferOutcome]:
        """Each offer's outcomes over the span."""
        funnel = self.reads.funnel(since=span.since, until=span.until)
        conversions = self.reads.conversions(
            since=span.since, until=span.until, attribution=self.attribution
        )
        return offer_outcomes(funnel, conversions)

    def overview(
        self, *, since: datetime | None = None, until: datetime | None = None
    ) -> dict[str, Any]:
        """The overview as plain data (the contract of `tactful report --json`)."""
        span = self.span(since, until)
        found, offers, satisfaction = self.compute_overview(span)
        return overview_data(found, offers, self._head(span), satisfaction)

    def offers(
        self, *, since: datetime | None = None, until: datetime | None = None
    ) -> dict[str, Any]:
        """Every offer's funnel as plain data."""
        span = self.span(since, until)
        return offers_data(self.compute_offers(span), self._head(span))

    def _head(self, span: ReportSpan) -> dict[str, Any]:
        return {
            "from": span.since.isoformat(),
            "to": span.until.isoformat(),
            "attribution_days": self.attribution.total_seconds() / 86400,
        }
