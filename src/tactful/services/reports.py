"""Reports of what offers did: the overview against the holdout, and each offer's outcomes.

Reads through `MeasurementReads`, computes with `tactful.domain.measurement`, and returns
plain data for JSON, the terminal and the dashboard alike (money in minor units).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from tactful.domain.clock import Clock
from tactful.domain.measurement import (
    MIN_GROUP,
    SEGMENTS,
    Exposure,
    Lift,
    OfferOutcome,
    OrderTotal,
    Overview,
    OverviewSettings,
    customer_outcomes,
    merge_exposures,
    offer_outcomes,
    outcomes_from_totals,
    overview,
    satisfaction_groups,
    sum_outcomes,
)
from tactful.domain.measurement.comparison import compare_means
from tactful.domain.measurement.outcomes import CustomerOutcomes
from tactful.domain.measurement.samples import SampleStats
from tactful.domain.measurement.segments import NONE, Segment, parse_segment, segment_labels
from tactful.services.ports.feedback import FeedbackStore
from tactful.services.ports.measurement import MeasurementReads, MeasurementRollups
from tactful.services.report_data import offers_data, overview_data, segments_data
from tactful.services.rollups import RollupSpan, day_start, split_span

__all__ = ["DEFAULT_SPAN", "PRE_PERIOD", "MeasuredInputs", "ReportService", "ReportSpan"]

VariantLookup = Callable[[str], Callable[[str], str]]
"""An experiment id to its customer -> variant assignment (ValueError naming segment when
unknown)."""
OFFER_DIMENSIONS = ("moment", "kind")
"""What the offers report splits by offer: the moment shown and the offered product's kind
(the other dimensions split by the customer shown the offer)."""
MAX_VALUES = 24
DEFAULT_SPAN = timedelta(days=28)
PRE_PERIOD = timedelta(days=90)
# Reports read from 90 days before a span to a window after it: ends far outside these would
# overflow the calendar (and no order history lies there).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
"""How far before a customer's first decision their spend is read as the CUPED covariate."""


class MeasuredInputs(NamedTuple):
    """What the overview is computed from (the dashboard reuses it for its charts)."""

    exposures: list[Exposure]
    orders: list[OrderTotal]


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
        rollups: MeasurementRollups | None = None,
        variants: VariantLookup | None = None,
    ) -> None:
        self.reads = reads
        self.variants = variants
        self.rollups = rollups
        self.feedback = feedback
        self.clock = clock
        self.attribution = attribution
        self.settings = OverviewSettings(
            holdout_share=holdout_share, detectable_effect=detectable_effect
        )

    def span(self, since: datetime | None = None, until: datetime | None = None) -> ReportSpan:
        """The span asked for, its open ends filled: until now, since midnight UTC 28 days
        before until (whole days are read from the rollups)."""
        for field, moment in (("from", since), ("to", until)):
            if moment is not None and not EARLIEST <= moment < LATEST:
                raise ValueError(f"{field}: must be a time between 1970 and 9000")
        end = until or self.clock.now()
        start = since or _midnight(end - DEFAULT_SPAN)
        if start >= end:
            raise ValueError("from: must be before to")
        return ReportSpan(start, end)

    def read_inputs(self, span: ReportSpan) -> MeasuredInputs:
        """Each customer's exposure over the span, and their orders from the pre-period on."""
        exposures = self._exposures(self._parts(span))
        orders = self.reads.order_totals(since=span.since - PRE_PERIOD, until=span.until)
        return MeasuredInputs(exposures, orders)

    def compute_overview(
        self, span: ReportSpan, segment: str | None = None, inputs: MeasuredInputs | None = None
    ) -> tuple[Overview, list[OfferOutcome], Lift | None, dict[str, Overview]]:
        """The overview's statistics, the offers' outcomes it sums its funnel from, and
        satisfaction (mean rating per rating customer) against the holdout."""
        parts = self._parts(span)
        outcomes, exposures = self._outcomes(span, inputs)
        segments = {name: overview(outcomes.segment(name), self.settings) for name in SEGMENTS}
        if segment is not None:
            outcomes, by_value = self._split(parse_segment(segment), outcomes, exposures, span)
            segments.update(by_value)
        satisfaction = None
        if self.feedback is not None:
            given = self.feedback.ratings(since=span.since, until=span.until)
            rated = [(f.customer_id, f.rating) for f in given if f.customer_id is not None]
            treated, held = satisfaction_groups(exposures, rated)
            if min(treated.size, held.size) >= MIN_GROUP:
                satisfaction = compare_means(SampleStats.of(treated), SampleStats.of(held))
        found = overview(outcomes, self.settings)
        return found, self._offers(parts), satisfaction, segments

    def _split(
        self,
        chosen: Segment,
        outcomes: CustomerOutcomes,
        exposures: list[Exposure],
        span: ReportSpan,
    ) -> tuple[CustomerOutcomes, dict[str, Overview]]:
        """The customers of the segment asked for (all of them for a whole dimension), and
        the overview of each value of its dimension."""
        labels, wanted = self._labels(chosen, outcomes, exposures, span)
        values = sorted(set(labels.tolist()), key=lambda v: (-int((labels == v).sum()), v))
        by_value = {
            f"{chosen.dimension}:{value}": overview(outcomes.subset(labels == value), self.settings)
            for value in values[:MAX_VALUES]
        }
        return (outcomes if not wanted else outcomes.subset(labels == wanted)), by_value

    def _labels(
        self,
        chosen: Segment,
        outcomes: CustomerOutcomes,
        exposures: list[Exposure],
        span: ReportSpan,
    ) -> tuple[NDArray[np.str_], str | None]:
        """Each customer's value of the segment's dimension (aligned with the outcomes), and
        the value asked for (None for a whole dimension)."""
        first = {e.customer_id: e for e in exposures}
        ids = [str(c) for c in (outcomes.customer_ids if outcomes.customer_ids is not None else [])]
        variant_of, wanted = None, chosen.value
        if chosen.dimension == "variant":
            experiment, _, wanted = (chosen.value or "").partition("/")
            if self.variants is None or not experiment:
                raise ValueError("segment: variant: name the experiment, as variant:EXPERIMENT_ID")
            variant_of = self.variants(experiment)
        traits = {}
        if chosen.dimension in ("country", "kind"):
            traits = self.reads.customer_traits(since=span.since - PRE_PERIOD, until=span.since)
        labels = segment_labels(
            chosen.dimension,
            ids,
            returning=outcomes.pre_revenue > 0,
            rfm=outcomes.rfm(),
            traits=traits,
            moments=[first[c].moment for c in ids],
            channels=[first[c].channel for c in ids],
            variant_of=variant_of,
        )
        return labels, wanted or None

    def compute_offers(self, span: ReportSpan, segment: str | None = None) -> list[OfferOutcome]:
        """Each offer's outcomes over the span: of every impression, of one moment or offered
        product kind, or of the impressions shown to one segment of customers (new or
        returning, RFM bucket, country, channel, experiment variant: as the overview splits
        them)."""
        chosen = None if segment is None else parse_segment(segment)
        if chosen is None or chosen.dimension not in OFFER_DIMENSIONS:
            customers = None if chosen is None else self._customers_of(chosen, span)
            if customers is None:
                return self._offers(self._parts(span))
            return self._offers(RollupSpan(((span.since, span.until),), None), customers)
        found = self._offers(self._parts(span))
        if chosen.value is None:
            return found
        if chosen.dimension == "moment":
            return [o for o in found if o.moment == chosen.value]
        kinds = self.reads.product_kinds()
        return [o for o in found if kinds.get(o.sku, NONE) == chosen.value]

    def _customers_of(self, chosen: Segment, span: ReportSpan) -> list[str] | None:
        """The customers of the segment's value over the span (None for a whole dimension:
        every customer)."""
        outcomes, exposures = self._outcomes(span)
        labels, wanted = self._labels(chosen, outcomes, exposures, span)
        if wanted is None or outcomes.customer_ids is None:
            return None
        return [str(c) for c in outcomes.customer_ids[labels == wanted]]

    def _outcomes(
        self, span: ReportSpan, inputs: MeasuredInputs | None = None
    ) -> tuple[CustomerOutcomes, list[Exposure]]:
        """Each exposed customer's outcomes, from their orders totalled in the database (or
        from the inputs given), and the exposures they follow."""
        if inputs is not None:
            exposures = inputs.exposures
            outcomes = customer_outcomes(
                exposures, inputs.orders, until=span.until, pre_period=PRE_PERIOD
            )
            return outcomes, exposures
        exposures = self._exposures(self._parts(span))
        totals = self.reads.customer_totals(exposures, until=span.until, pre_period=PRE_PERIOD)
        return outcomes_from_totals(exposures, totals), exposures

    def _parts(self, span: ReportSpan) -> RollupSpan:
        """Whole days and today's passed hours from the rollups, the rest raw."""
        if self.rollups is None:
            return split_span(span.since, span.until, None)
        held = self.rollups.rolled_range()
        hours = self.rollups.rolled_until() if held is not None else None
        return split_span(span.since, span.until, held, hours)

    def _exposures(self, parts: RollupSpan) -> list[Exposure]:
        found = [self.reads.exposures(since=since, until=until) for since, until in parts.raw]
        if parts.rolled is not None and self.rollups is not None:
            first, end = parts.rolled
            found.append(self.rollups.rolled_exposures(first_day=first, end_day=end))
        return merge_exposures(found)

    def _offers(
        self, parts: RollupSpan, customers: Collection[str] | None = None
    ) -> list[OfferOutcome]:
        found = []
        for since, until in parts.raw:
            funnel = self.reads.funnel(since=since, until=until, customers=customers)
            credited = self.reads.conversions(
                since=since, until=until, attribution=self.attribution, customers=customers
            )
            found.append(offer_outcomes(funnel, credited))
        if parts.rolled is not None and self.rollups is not None:
            first, end = parts.rolled
            found.append(self.rollups.rolled_offers(first_day=first, end_day=end))
        return sum_outcomes(found)

    def overview(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        segment: str | None = None,
    ) -> dict[str, Any]:
        """The overview as plain data (the contract of `tactful report --json`), of every
        customer or of one segment (`new`, `returning`), with each segment's revenue lift."""
        return self.overview_and_offers(since=since, until=until, segment=segment)[0]

    def overview_and_offers(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        segment: str | None = None,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Both reports from one pass over the data (the terminal report shows both); the
        offers of a segment take a second."""
        span = self.span(since, until)
        found, offers, satisfaction, segments = self.compute_overview(span, segment)
        head = self._head(span)
        data = overview_data(found, offers, head, satisfaction)
        data["segment"] = segment
        data["segments"] = segments_data(segments)
        if segment is not None:
            offers = self.compute_offers(span, segment)
        return data, offers_data(offers, head)

    def offers(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        segment: str | None = None,
    ) -> dict[str, Any]:
        """Every offer's funnel as plain data (of one segment, as `compute_offers`)."""
        span = self.span(since, until)
        data = offers_data(self.compute_offers(span, segment), self._head(span))
        data["segment"] = segment
        return data

    def _head(self, span: ReportSpan) -> dict[str, Any]:
        return {
            "from": span.since.isoformat(),
            "to": span.until.isoformat(),
            "attribution_days": self.attribution.total_seconds() / 86400,
        }


def _midnight(moment: datetime) -> datetime:
    return day_start(moment.astimezone(UTC).date())
