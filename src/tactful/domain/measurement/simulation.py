"""A simulator that plants a known truth: traffic whose incremental revenue is set in advance.

Each customer has a daily purchase rate and an order value (from their real history, or drawn
when there is none). Over the simulated days every customer visits (the first visit at the
start), and each visit is a decision; the held-out customers see nothing, the others one offer
per visit, which they accept with a probability chosen so that what accepted offers add, net
of refunds, is `uplift` times the customer's expected baseline spend. Baseline orders happen in
both groups alike, in the period and in a pre-period (the CUPED covariate), and any order may
be refunded. So the true incremental revenue of the treated customers is known exactly, and
the statistics can be checked against it over many seeds.

Events are drawn as flat numpy arrays; `outcomes()` sums them per customer the way the report
reads stored data, and simulation_records.py turns them into decisions and orders to store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from tactful.domain.measurement.outcomes import CustomerOutcomes

__all__ = ["OfferItem", "SimCustomer", "SimulationPlan", "Traffic", "simulate"]

PRE_DAYS = 89.0
"""Pre-period orders fall this many days before the start (inside the report's 90)."""


@dataclass(frozen=True, slots=True)
class SimCustomer:
    """A customer to drive: purchases per day and mean order value (minor units)."""

    customer_id: str
    daily_rate: float
    order_value: float


@dataclass(frozen=True, slots=True)
class OfferItem:
    """Something a treated customer may be offered: kind, SKU and price (minor units)."""

    kind: str
    sku: str
    price: int


@dataclass(frozen=True, slots=True)
class SimulationPlan:
    """What to simulate: from `start`, `days` long, with the planted relative `uplift`."""

    start: datetime
    days: int
    uplift: float
    seed: int
    offers: Sequence[OfferItem]
    currency: str = "GBP"
    visits_per_day: float = 0.5
    refund_share: float = 0.05
    response_shares: tuple[float, float] = (0.25, 0.1)
    """Of offers not accepted: the share declined, the share dismissed (the rest ignored)."""
    max_acceptance: float = 0.9
    moments: tuple[str, ...] = ("cart", "product", "post_purchase")


@dataclass(frozen=True, eq=False)
class Traffic:
    """Drawn events as flat arrays (customer index, seconds after the start, ...)."""

    plan: SimulationPlan
    customers: Sequence[SimCustomer]
    held_out: NDArray[np.bool_]
    true_incremental_revenue: float
    visit_customer: NDArray[np.int64]
    visit_seconds: NDArray[np.float64]
    visit_offer: NDArray[np.int64]
    visit_response: NDArray[np.int64]
    """-1 none shown (held out), 0 accepted, 1 declined, 2 dismissed, 3 ignored."""
    order_customer: NDArray[np.int64]
    order_seconds: NDArray[np.float64]
    order_value: NDArray[np.int64]
    order_units: NDArray[np.int64]
    order_refunded: NDArray[np.bool_]
    order_offer: NDArray[np.int64]
    """The offer an order bought (-1: a baseline order)."""
    extra: dict[str, int] = field(default_factory=dict)

    @property
    def end(self) -> datetime:
        """When the simulated span ends."""
        return self.plan.start + timedelta(days=self.plan.days)

    def outcomes(self, *, until_day: float | None = None) -> CustomerOutcomes:
        """Per-customer outcomes as the report computes them from stored traffic, over the
        whole span or (a daily look) its first `until_day` days."""
        first = self._first_visit()
        limit = np.inf if until_day is None else until_day * 86400.0
        exposed = first < limit
        order_first = first[self.order_customer]
        after = (self.order_seconds >= order_first) & (self.order_seconds < limit)
        before = self.order_seconds < order_first
        net = np.where(self.order_refunded, 0, self.order_value).astype(float)
        refunded = np.where(self.order_refunded, self.order_value, 0).astype(float)

        def per_customer(
            values: NDArray[np.float64], mask: NDArray[np.bool_]
        ) -> NDArray[np.float64]:
            found = np.bincount(
                self.order_customer[mask], weights=values[mask], minlength=len(self.customers)
            )
            return found.astype(np.float64)[exposed]

        ones = np.ones(self.order_customer.size)
        return CustomerOutcomes(
            held_out=self.held_out[exposed],
            revenue=per_customer(net, after),
            gross=per_customer(self.order_value.astype(float), after),
            refunded=per_customer(refunded, after),
            orders=per_customer(ones, after),
            units=per_customer(self.order_units.astype(float), after),
            pre_revenue=per_customer(net, before),
            mixed=0,
            currency=self.plan.currency,
        )

    def _first_visit(self) -> NDArray[np.float64]:
        first = np.full(len(self.customers), np.inf)
        np.minimum.at(first, self.visit_customer, self.visit_seconds)
        return first


def simulate(
    customers: Sequence[SimCustomer], plan: SimulationPlan, held_out: Callable[[str], bool]
) -> Traffic:
    """Draw the plan's traffic for `customers`; `held_out` is the real holdout assignment."""
    if plan.days < 1 or not customers or not plan.offers:
        raise ValueError("a simulation needs at least one day, one customer and one offer")
    rng = np.random.default_rng(plan.seed)
    size = len(customers)
    held = np.array([held_out(c.customer_id) for c in customers], dtype=bool)
    rate = np.array([c.daily_rate for c in customers])
    value = np.array([c.order_value for c in customers])
    seconds = plan.days * 86400.0
    visits = _visits(rng, size, plan)
    offer = rng.integers(0, len(plan.offers), size=visits[0].size)
    prices = np.array([o.price for o in plan.offers], dtype=float)[offer]
    accept = _acceptance(plan, rate[visits[0]] * value[visits[0]], prices)
    response = _responses(rng, accept, plan)
    response[held[visits[0]]] = -1
    period = _orders(rng, rate * plan.days, value, (visits[1][:size], seconds))
    pre = _orders(rng, rate * PRE_DAYS, value, None, pre_days=PRE_DAYS)
    accepted = np.flatnonzero(response == 0)
    return Traffic(
        plan=plan,
        customers=customers,
        held_out=held,
        true_incremental_revenue=_planted(plan, rate[~held] * value[~held]),
        visit_customer=visits[0],
        visit_seconds=visits[1],
        visit_offer=offer,
        visit_response=response,
        order_customer=np.concatenate([period[0], pre[0], visits[0][accepted]]),
        order_seconds=np.concatenate([period[1], pre[1], visits[1][accepted] + 60]),
        order_value=np.concatenate([period[2], pre[2], prices[accepted].astype(np.int64)]),
        order_units=np.concatenate([period[3], pre[3], np.ones(accepted.size, dtype=np.int64)]),
        order_refunded=rng.random(period[0].size + pre[0].size + accepted.size) < plan.refund_share,
        order_offer=np.concatenate(
            [np.full(period[0].size + pre[0].size, -1, dtype=np.int64), accepted]
        ),
    )


def _acceptance(
    plan: SimulationPlan, daily_spend: NDArray[np.float64], prices: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Chance to accept an offer at `prices`, so that accepted offers add, net of refunds,
    `uplift` times the customer's expected baseline spend (capped at `max_acceptance`)."""
    visits = 1 + plan.visits_per_day * plan.days
    wanted = plan.uplift * daily_spend * plan.days / (visits * prices)
    return np.minimum(wanted, plan.max_acceptance)


def _planted(plan: SimulationPlan, daily_spend: NDArray[np.float64]) -> float:
    """The expected net revenue accepted offers add for the treated customers.

    Each treated customer makes 1 + Poisson(visits_per_day * days) visits, each offering an
    item drawn uniformly; each accepted offer is an order of its price, kept unless refunded.
    """
    prices = np.array([o.price for o in plan.offers], dtype=float)
    visits = 1 + plan.visits_per_day * plan.days
    accept = _acceptance(plan, daily_spend[:, None], prices[None, :])
    keep = 1 - plan.refund_share
    return float(visits * keep * (accept * prices[None, :]).mean(axis=1).sum())


def _visits(
    rng: np.random.Generator, size: int, plan: SimulationPlan
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Each customer's first visit in the first minute, then Poisson more over the span."""
    more = rng.poisson(plan.visits_per_day * plan.days, size=size)
    customer = np.concatenate([np.arange(size), np.repeat(np.arange(size), more)])
    first = rng.uniform(0, 60, size=size)
    later = rng.uniform(60, plan.days * 86400.0 - 120, size=int(more.sum()))
    return customer.astype(np.int64), np.concatenate([first, later])


def _responses(
    rng: np.random.Generator, accept: NDArray[np.float64], plan: SimulationPlan
) -> NDArray[np.int64]:
    draw = rng.random(accept.size)
    declined, dismissed = plan.response_shares
    rest = (draw - accept) / np.maximum(1 - accept, 1e-12)
    response = np.where(rest < declined, 1, np.where(rest < declined + dismissed, 2, 3))
    return np.where(draw < accept, 0, response).astype(np.int64)


def _orders(
    rng: np.random.Generator,
    expected: NDArray[np.float64],
    value: NDArray[np.float64],
    span: tuple[NDArray[np.float64], float] | None,
    *,
    pre_days: float = 0.0,
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]]:
    """Baseline orders: Poisson counts, gamma values around each customer's order value."""
    counts = rng.poisson(expected)
    customer = np.repeat(np.arange(expected.size), counts).astype(np.int64)
    if span is None:
        at = -rng.uniform(0, pre_days * 86400.0, size=customer.size) - 1.0
    else:
        starts, end = span
        low = starts[customer] + 1.0
        at = low + rng.random(customer.size) * (end - low)
    units = (1 + rng.poisson(1.0, size=customer.size)).astype(np.int64)
    amounts = np.maximum(rng.gamma(2.0, value[customer] / 2.0), 1).astype(np.int64)
    amounts = units * np.maximum(amounts // units, 1)  # whole unit prices, as stored
    return customer, at, amounts, units
