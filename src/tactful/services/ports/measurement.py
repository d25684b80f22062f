"""Reads the measurement of offers needs: exposures, orders net of refunds, offer funnels."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime, timedelta
from typing import Protocol

from tactful.domain.measurement import (
    Conversion,
    CustomerTotals,
    Exposure,
    FunnelRow,
    OfferOutcome,
    OrderTotal,
)
from tactful.domain.measurement.segments import CustomerTraits
from tactful.services.ports.dashboard import DailyActivity, OfferStats


class MeasurementReads(Protocol):
    """Aggregated reads over decisions, impressions, responses, orders and refunds.

    Spans are [since, until) in UTC. Every implementation returns the same rows for the same
    stored data (tests/contracts/test_measurement_reads.py), in any order.
    """

    def exposures(self, *, since: datetime, until: datetime) -> list[Exposure]:
        """Each customer with a decision in the span: the first one's time, held out or not."""
        ...

    def order_totals(self, *, since: datetime, until: datetime) -> list[OrderTotal]:
        """Each order of a known customer created in the span, its refunds (not failed) taken."""
        ...

    def customer_totals(
        self, exposures: Sequence[Exposure], *, until: datetime, pre_period: timedelta
    ) -> list[CustomerTotals]:
        """The orders of the exposed customers (held out or not; mixed ones left out) placed
        before `until`, totalled per customer and currency in the database: from each one's
        first decision on, and in the `pre_period` before it (as `customer_totals` of the
        domain totals `order_totals`)."""
        ...

    def customer_traits(self, *, since: datetime, until: datetime) -> dict[str, CustomerTraits]:
        """Customers' stored country, and the product kind they bought most lines of in the
        span (ties: the first kind by name); customers with neither are left out."""
        ...

    def product_kinds(self) -> dict[str, str]:
        """Each product's kind by SKU."""
        ...

    def funnel(
        self, *, since: datetime, until: datetime, customers: Collection[str] | None = None
    ) -> list[FunnelRow]:
        """Impressions shown in the span and their responses, by offer kind, SKU and moment
        (only those shown to `customers` when given)."""
        ...

    def conversions(
        self,
        *,
        since: datetime,
        until: datetime,
        attribution: timedelta,
        customers: Collection[str] | None = None,
    ) -> list[Conversion]:
        """Purchase lines of an offered SKU within `attribution` after an impression of it, each
        credited to the latest such impression, net of refunds: those whose credited
        impression was shown in the span (to one of `customers` when given)."""
        ...


class MeasurementRollups(Protocol):
    """Daily rollups of the raw reads, for whole UTC days [first_day, end_day), and the hours
    of end_day that have passed, [midnight, `rolled_until()`), rolled up as one more day.

    Built from `MeasurementReads` over each day (services/rollups.py), so a report that reads
    them for the days they hold gives the numbers the raw log gives.
    """

    def rolled_range(self) -> tuple[date, date] | None:
        """The whole days the rollups hold, or None before the first build."""
        ...

    def rolled_until(self) -> datetime | None:
        """How far into end_day (`rolled_range()[1]`) the rollups hold too: its hours from
        midnight to this time are read as the day `end_day` (None: none of that day)."""
        ...

    def rolled_exposures(self, *, first_day: date, end_day: date) -> list[Exposure]:
        """Each customer's exposure over those days, merged as `merge_exposures` does."""
        ...

    def rolled_offers(self, *, first_day: date, end_day: date) -> list[OfferOutcome]:
        """Each offer's outcomes over those days, added up."""
        ...

    def replace_days(
        self,
        *,
        first_day: date,
        end_day: date,
        exposures: Sequence[tuple[date, Exposure]],
        offers: Sequence[tuple[date, OfferOutcome]],
        built_at: datetime,
        activity: Sequence[DailyActivity] = (),
        offer_stats: Sequence[tuple[date, OfferStats]] = (),
    ) -> None:
        """Replace the rollups of those days in one transaction (the dashboard's activity and
        offer figures too), and widen the range to hold them (they must touch or overlap it)."""
        ...

    def replace_hours(
        self,
        *,
        day: date,
        until: datetime,
        exposures: Sequence[Exposure],
        offers: Sequence[OfferOutcome],
    ) -> None:
        """Replace what the rollups hold of `day`, the day the whole days end at, with its
        hours [midnight, until), in one transaction (ValueError for any other day). Widening
        the whole days past `day` (`replace_days`) drops these hours."""
        ...

    def first_decision_at(self) -> datetime | None:
        """When the oldest logged decision was made."""
        ...
