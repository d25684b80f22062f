"""Reads the measurement of offers needs: exposures, orders net of refunds, offer funnels."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from tactful.domain.measurement import Conversion, Exposure, FunnelRow, OrderTotal


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

    def funnel(self, *, since: datetime, until: datetime) -> list[FunnelRow]:
        """Impressions shown in the span and their responses, by offer kind, SKU and moment."""
        ...

    def conversions(
        self, *, since: datetime, until: datetime, attribution: timedelta
    ) -> list[Conversion]:
        """Purchase lines of an offered SKU within `attribution` after an impression shown in
        the span, each credited to the latest such impression, net of refunds."""
        ...
