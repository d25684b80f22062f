"""Replay the order history through the offer engine, every policy in one pass, oldest first.

At each past order of a known customer in [start, end) each policy's `decide` runs as it would
have then: the customer's purchases before it (for post-purchase moments, this order too), the
offers that policy had shown them before (so cooldowns and budgets bind), and a model mined only
from orders of earlier months. An offer "was bought anyway" when the customer bought that SKU
in a later order within the policy's window. It is a screen, not a proof: nobody saw these
offers, so it cannot say what they would have changed.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from tactful.domain.backtest.models import MonthlyModels
from tactful.domain.backtest.policy_file import BacktestPolicy
from tactful.domain.catalog import Sku
from tactful.domain.customers import Customer, CustomerId
from tactful.domain.lifetime.history import OrderHistory, utc_naive
from tactful.domain.offers import (
    AffinitySource,
    CartLine,
    DecisionContext,
    Moment,
    OfferCatalog,
    OfferEvent,
    OfferResponse,
    Purchase,
)
from tactful.domain.offers.engine import decide

SECOND = np.timedelta64(1, "s")
_AFTER_PURCHASE = (Moment.POST_PURCHASE, Moment.EMAIL)


@dataclass
class PolicyRun:
    """What one policy would have done: per decision and per offer, in replay order."""

    policy: BacktestPolicy
    decisions: int = 0
    held_out: int = 0
    decision_orders: list[int] = field(default_factory=list)
    offer_orders: list[int] = field(default_factory=list)
    offer_skus: list[str] = field(default_factory=list)
    offer_kinds: list[str] = field(default_factory=list)
    bought_anyway: list[bool] = field(default_factory=list)
    observable: list[bool] = field(default_factory=list)
    shown: dict[int, list[OfferEvent]] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Replay:
    """Every policy's run over the same orders, and how many models were mined."""

    runs: tuple[PolicyRun, ...]
    orders_replayed: int
    guest_orders: int
    models_mined: int
    start: datetime
    end: datetime


class _Purchases:
    """Each customer's first purchase of every SKU and their later ones, as decisions read them.

    Orders arrive oldest first, so the later purchases stay in time order and the recent ones
    are a suffix found by bisection.
    """

    def __init__(self) -> None:
        self.firsts: dict[int, list[Purchase]] = {}
        self.seen: dict[int, set[str]] = {}
        self.repeats: dict[int, list[Purchase]] = {}

    def add(self, customer: int, skus: Sequence[str], at: datetime) -> None:
        firsts = self.firsts.setdefault(customer, [])
        seen = self.seen.setdefault(customer, set())
        repeats = self.repeats.setdefault(customer, [])
        for sku in skus:
            if sku in seen:
                repeats.append(Purchase(Sku(sku), at))
            else:
                seen.add(sku)
                firsts.append(Purchase(Sku(sku), at))

    def of(self, customer: int, recent_since: datetime) -> tuple[Purchase, ...]:
        """Each SKU's first purchase and, since `recent_since`, its last (as storage reads)."""
        repeats = self.repeats.get(customer, [])
        start = bisect_left(repeats, recent_since, key=lambda purchase: purchase.at)
        latest = {purchase.sku: purchase for purchase in repeats[start:]}
        return (*self.firsts.get(customer, ()), *latest.values())


class _LaterPurchases:
    """When each customer bought each SKU, to ask "did they buy it within the window?"."""

    def __init__(self, history: OrderHistory) -> None:
        lengths = np.diff(history.indptr)
        customers = np.repeat(history.customers, lengths)
        seconds = np.repeat(history.times.astype(np.int64), lengths)
        self.items = {sku: code for code, sku in enumerate(history.items)}
        order = np.lexsort((seconds, history.indices, customers))
        keys = customers[order] * max(len(history.items), 1) + history.indices[order]
        cuts = np.flatnonzero(np.diff(keys)) + 1
        starts = np.concatenate(([0], cuts))
        ends = np.concatenate((cuts, [keys.size]))
        sorted_seconds = seconds[order]
        self.n_items = max(len(history.items), 1)
        self.times = {
            int(keys[s]): sorted_seconds[s:e].tolist()
            for s, e in zip(starts, ends, strict=True)
            if e > s
        }

    def bought_within(self, customer: int, sku: str, after: int, window: int) -> bool:
        code = self.items.get(sku)
        if code is None:
            return False
        times = self.times.get(customer * self.n_items + code)
        if not times:
            return False
        later = bisect_right(times, after)
        return later < len(times) and times[later] <= after + window


def replay(
    history: OrderHistory,
    catalog: OfferCatalog,
    policies: Sequence[BacktestPolicy],
    models: MonthlyModels,
    *,
    start: datetime,
    end: datetime,
) -> Replay:
    """Run every policy over the orders of known customers in [start, end), oldest first."""
    runs = tuple(PolicyRun(policy) for policy in policies)
    purchases, later = _Purchases(), _LaterPurchases(history)
    seconds = history.times.astype(np.int64)
    first = int(np.searchsorted(history.times, np.datetime64(utc_naive(start), "s")))
    stop = int(np.searchsorted(history.times, np.datetime64(utc_naive(end), "s")))
    last_second = int(seconds[-1]) if history.size else 0
    replayed = guests = 0
    for index in range(stop):
        customer = int(history.customers[index])
        if customer < 0:
            guests += int(index >= first)
            continue
        at = datetime.fromtimestamp(int(seconds[index]), tz=UTC)
        skus = list(dict.fromkeys(history.skus(index)))
        if index < first:
            purchases.add(customer, skus, at)
            continue
        replayed += 1
        affinity = models.for_month(history.times[index].astype("datetime64[M]"))
        for after_purchase in (False, True):  # before the order is counted, then after
            for run in runs:
                if (run.policy.moment in _AFTER_PURCHASE) is after_purchase:
                    _decide(run, history, index, at, skus, catalog, affinity, purchases)
                    _judge_offers(run, customer, int(seconds[index]), later, last_second)
            if not after_purchase:
                purchases.add(customer, skus, at)
    return Replay(runs, replayed, guests, models.times_mined, start, end)


def _decide(
    run: PolicyRun,
    history: OrderHistory,
    index: int,
    at: datetime,
    skus: list[str],
    catalog: OfferCatalog,
    affinity: AffinitySource,
    purchases: _Purchases,
) -> None:
    policy = run.policy.policy
    customer = int(history.customers[index])
    window = max(policy.cooldown, policy.budget_window, policy.upgrade_quiet_period)
    shown = [e for e in run.shown.get(customer, ()) if e.at >= at - window]
    context = DecisionContext(
        decision_id=f"bt_{history.order_ids[index]}",
        now=at,
        catalog=catalog,
        affinity=affinity,
        policy=policy,
        purchases=purchases.of(customer, at - policy.recent_purchase_window),
        offer_events=shown,
    )
    cart = [CartLine(Sku(sku)) for sku in skus]
    who = Customer(CustomerId(history.customer_ids[customer]))
    decision = decide(who, run.policy.moment, cart, context)
    run.decisions += 1
    run.held_out += decision.held_out
    run.decision_orders.append(index)
    for offer in decision.offers:
        event = OfferEvent(
            OfferResponse.SHOWN,
            offer.sku,
            at,
            offer.kind,
            offer.for_sku,
            offer.relevance,
            offer.offer_id,
        )
        shown.append(event)
        run.offer_orders.append(index)
        run.offer_skus.append(offer.sku)
        run.offer_kinds.append(offer.kind.value)
    run.shown[customer] = shown


def _judge_offers(
    run: PolicyRun, customer: int, second: int, later: _LaterPurchases, last_second: int
) -> None:
    window = int(run.policy.window.total_seconds())
    while len(run.bought_anyway) < len(run.offer_skus):
        sku = run.offer_skus[len(run.bought_anyway)]
        run.bought_anyway.append(later.bought_within(customer, sku, second, window))
        run.observable.append(second + window <= last_second)
