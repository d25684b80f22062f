"""Outcomes: who was exposed to the offer policy (or held out), and what they bought after.

The unit is the customer. A customer's exposure starts at their first decision in the span;
their outcome is every order from then to the span's end, net of refunds, and their
covariate (for CUPED) is what they spent in the pre-period before it. Offers are credited
separately (offers.py): a purchase of the offered SKU within the attribution window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from tactful.domain.measurement.segments import rfm_buckets

SEGMENTS = ("new", "returning")
"""Customer segments every report splits by: spent in the pre-period before exposure or not."""

__all__ = [
    "SEGMENTS",
    "CustomerOutcomes",
    "CustomerTotals",
    "Exposure",
    "OrderTotal",
    "customer_outcomes",
    "customer_totals",
    "merge_exposures",
    "outcomes_from_totals",
    "satisfaction_groups",
]


@dataclass(frozen=True, slots=True)
class Exposure:
    """A customer's first decision in the span; held_out None when their decisions disagree."""

    customer_id: str
    first_at: datetime
    held_out: bool | None
    moment: str | None = None
    """The moment and channel of that first decision (segments)."""
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class OrderTotal:
    """One order of a known customer: lines' total, units and what was refunded of it."""

    customer_id: str
    at: datetime
    gross: int
    units: int
    refunded: int
    currency: str

    @property
    def net(self) -> int:
        """What the merchant kept."""
        return self.gross - self.refunded


@dataclass(frozen=True, eq=False)
class CustomerOutcomes:
    """One row per exposed customer (mixed customers left out), as aligned arrays."""

    held_out: NDArray[np.bool_]
    revenue: NDArray[np.float64]
    gross: NDArray[np.float64]
    refunded: NDArray[np.float64]
    orders: NDArray[np.float64]
    units: NDArray[np.float64]
    pre_revenue: NDArray[np.float64]
    mixed: int
    currency: str | None
    customer_ids: NDArray[np.str_] | None = None
    """Who each row is, and their pre-period orders and days from the last one to exposure
    (inf without one): the RFM segments."""
    pre_orders: NDArray[np.float64] | None = None
    pre_days_since: NDArray[np.float64] | None = None

    @property
    def treated(self) -> NDArray[np.bool_]:
        """Eligible for offers, not held out."""
        return ~self.held_out

    def __len__(self) -> int:
        return int(self.held_out.size)

    def subset(self, mask: NDArray[np.bool_]) -> CustomerOutcomes:
        """The customers `mask` selects (a segment)."""
        return CustomerOutcomes(
            held_out=self.held_out[mask],
            revenue=self.revenue[mask],
            gross=self.gross[mask],
            refunded=self.refunded[mask],
            orders=self.orders[mask],
            units=self.units[mask],
            pre_revenue=self.pre_revenue[mask],
            mixed=0,
            currency=self.currency,
            customer_ids=None if self.customer_ids is None else self.customer_ids[mask],
            pre_orders=None if self.pre_orders is None else self.pre_orders[mask],
            pre_days_since=None if self.pre_days_since is None else self.pre_days_since[mask],
        )

    def segment(self, name: str) -> CustomerOutcomes:
        """`returning` customers (they spent in the pre-period) or `new` ones (they did not)."""
        if name not in SEGMENTS:
            raise ValueError(f"segment: expected one of {', '.join(SEGMENTS)}, got {name!r}")
        returning = self.pre_revenue > 0
        return self.subset(returning if name == "returning" else ~returning)

    def rfm(self) -> NDArray[np.str_]:
        """Each customer's RFM bucket (segments.rfm_buckets)."""
        size = len(self)
        orders = self.pre_orders if self.pre_orders is not None else np.zeros(size)
        since = self.pre_days_since if self.pre_days_since is not None else np.full(size, np.inf)
        return rfm_buckets(self.pre_revenue, orders, since)


def merge_exposures(parts: Sequence[Sequence[Exposure]]) -> list[Exposure]:
    """One exposure per customer from the exposures of consecutive sub-spans (daily rollups
    and raw edges): the earliest first decision; held out only when every part agrees."""
    merged: dict[str, Exposure] = {}
    for part in parts:
        for exposure in part:
            seen = merged.get(exposure.customer_id)
            if seen is None:
                merged[exposure.customer_id] = exposure
                continue
            held = seen.held_out if seen.held_out == exposure.held_out else None
            first = exposure if exposure.first_at < seen.first_at else seen
            merged[exposure.customer_id] = Exposure(
                exposure.customer_id, first.first_at, held, first.moment, first.channel
            )
    return list(merged.values())


@dataclass(frozen=True, slots=True)
class CustomerTotals:
    """An exposed customer's orders in one currency, split at their first decision: those
    from it to the span's end (the outcome), and those of the pre-period before it."""

    customer_id: str
    currency: str
    orders: int
    gross: int
    refunded: int
    units: int
    pre_orders: int
    pre_net: int
    last_pre_at: datetime | None
    """When the latest pre-period order was placed (None without one)."""


def customer_totals(
    exposures: Sequence[Exposure],
    orders: Sequence[OrderTotal],
    *,
    until: datetime,
    pre_period: timedelta,
) -> list[CustomerTotals]:
    """Each order of an exposed customer (held out or not) placed before `until`, totalled per
    customer and currency: from their first decision on, or in the pre-period before it."""
    starts = {e.customer_id: e.first_at for e in exposures if e.held_out is not None}
    placed: dict[tuple[str, str], list[OrderTotal]] = {}
    for order in orders:
        start = starts.get(order.customer_id)
        if start is not None and start - pre_period <= order.at < until:
            placed.setdefault((order.customer_id, order.currency), []).append(order)
    return [
        _totals(customer, currency, found, starts[customer])
        for (customer, currency), found in placed.items()
    ]


def _totals(
    customer: str, currency: str, placed: Sequence[OrderTotal], start: datetime
) -> CustomerTotals:
    after = [o for o in placed if o.at >= start]
    before = [o for o in placed if o.at < start]
    return CustomerTotals(
        customer,
        currency,
        orders=len(after),
        gross=sum(o.gross for o in after),
        refunded=sum(o.refunded for o in after),
        units=sum(o.units for o in after),
        pre_orders=len(before),
        pre_net=sum(o.net for o in before),
        last_pre_at=max((o.at for o in before), default=None),
    )


def customer_outcomes(
    exposures: Sequence[Exposure],
    orders: Sequence[OrderTotal],
    *,
    until: datetime,
    pre_period: timedelta,
) -> CustomerOutcomes:
    """Join each order to its customer's exposure: after it (outcome) or in the pre-period."""
    totals = customer_totals(exposures, orders, until=until, pre_period=pre_period)
    return outcomes_from_totals(exposures, totals)


def outcomes_from_totals(
    exposures: Sequence[Exposure], totals: Sequence[CustomerTotals]
) -> CustomerOutcomes:
    """The outcome arrays of the exposed customers (mixed ones left out) from their totals
    (`customer_totals`, or the same totals aggregated by a database)."""
    kept = [e for e in exposures if e.held_out is not None]
    index = {e.customer_id: row for row, e in enumerate(kept)}
    size = len(kept)
    arrays = {name: np.zeros(size) for name in ("revenue", "gross", "refunded", "orders", "units")}
    pre, pre_orders, last_pre = np.zeros(size), np.zeros(size), np.full(size, -np.inf)
    currencies: dict[str, int] = {}
    for total in totals:
        row = index[total.customer_id]
        start = kept[row].first_at
        arrays["revenue"][row] += total.gross - total.refunded
        arrays["gross"][row] += total.gross
        arrays["refunded"][row] += total.refunded
        arrays["orders"][row] += total.orders
        arrays["units"][row] += total.units
        if total.orders:
            currencies[total.currency] = currencies.get(total.currency, 0) + total.orders
        pre[row] += total.pre_net
        pre_orders[row] += total.pre_orders
        if total.last_pre_at is not None:
            days = (total.last_pre_at - start).total_seconds() / 86400
            last_pre[row] = max(last_pre[row], days)
    return CustomerOutcomes(
        held_out=np.array([bool(e.held_out) for e in kept], dtype=bool),
        pre_revenue=pre,
        mixed=len(exposures) - size,
        currency=max(sorted(currencies), key=lambda c: currencies[c]) if currencies else None,
        customer_ids=np.array([e.customer_id for e in kept], dtype=str),
        pre_orders=pre_orders,
        pre_days_since=-last_pre,
        **arrays,
    )


def satisfaction_groups(
    exposures: Sequence[Exposure], ratings: Sequence[tuple[str, int]]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Each rating customer's mean rating, treated customers' then held-out ones'."""
    held = {e.customer_id: e.held_out for e in exposures if e.held_out is not None}
    totals: dict[str, list[int]] = {}
    for customer, rating in ratings:
        if customer in held:
            totals.setdefault(customer, []).append(rating)
    means = {customer: sum(given) / len(given) for customer, given in totals.items()}
    treated = [mean for customer, mean in means.items() if not held[customer]]
    control = [mean for customer, mean in means.items() if held[customer]]
    return np.array(treated, dtype=float), np.array(control, dtype=float)
