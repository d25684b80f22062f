"""`tactful simulate`: drive stored customers through decisions, responses and orders whose
true incremental revenue is planted, and store it all like real traffic."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from itertools import islice
from typing import Any, TypeVar

import numpy as np

from tactful.domain.clock import Clock
from tactful.domain.experiments import assign
from tactful.domain.lifetime.history import OrderHistory
from tactful.domain.measurement import simulation_records as records
from tactful.domain.measurement.simulation import (
    OfferItem,
    SimCustomer,
    SimulationPlan,
    Traffic,
    simulate,
)
from tactful.services.ports.history import HistoryReads
from tactful.services.ports.storage import Database

__all__ = ["SimulationService", "customers_from_history"]

T = TypeVar("T")
BATCH = 5_000
ADD_ONS = (
    ("cross_sell", "SIM-ADDON-1", 500),
    ("cross_sell", "SIM-ADDON-2", 1200),
    ("upsell", "SIM-UPGRADE-1", 2500),
    ("cross_sell", "SIM-ADDON-3", 900),
)
"""What is offered when the catalogue is empty."""
SIMULATION_SOURCE = "simulation"


@dataclass(frozen=True, slots=True)
class SimulationRequest:
    """What `tactful simulate` asks for."""

    days: int
    customers: int
    uplift: float
    seed: int
    visits_per_day: float = 0.5


class SimulationService:
    """Runs a simulation on the stored history and writes its traffic to the database."""

    def __init__(
        self,
        database: Database,
        history: HistoryReads,
        clock: Clock,
        *,
        holdout_share: float,
        holdout_salt: str = "holdout",
    ) -> None:
        self.database = database
        self.history = history
        self.clock = clock
        self.holdout_share = holdout_share
        self.holdout_salt = holdout_salt

    def plan(self, request: SimulationRequest) -> Traffic:
        """Draw the traffic (nothing stored): the last `days` days up to now."""
        if request.days < 1 or request.customers < 1:
            raise ValueError("days and customers must be at least 1")
        if not 0 <= request.visits_per_day <= 1000:
            raise ValueError("visits_per_day: must be from 0 to 1000")
        history = self.history.order_history()
        rng = np.random.default_rng(request.seed)
        customers = customers_from_history(history, request.customers, rng, request.seed)
        start = self.clock.now() - timedelta(days=request.days)
        plan = SimulationPlan(
            start=start,
            days=request.days,
            uplift=request.uplift,
            seed=request.seed,
            offers=self._offers(),
            currency=_currency(history),
            visits_per_day=request.visits_per_day,
        )
        return simulate(customers, plan, self._held_out)

    def run(self, request: SimulationRequest) -> dict[str, Any]:
        """Draw and store the traffic; the summary says what was planted."""
        traffic = self.plan(request)
        prefix = records.decision_id_prefix(request.seed)
        with self.database.transaction() as tx:
            if tx.offers.decision_exists(f"{prefix}d0"):
                raise ValueError(f"seed: seed {request.seed} was already simulated here")
        self._store(traffic)
        return summary(traffic)

    def _held_out(self, customer_id: str) -> bool:
        return assign(customer_id, self.holdout_salt, self.holdout_share)

    def _offers(self) -> tuple[OfferItem, ...]:
        with self.database.transaction() as tx:
            products = [p for p in tx.catalog.all_products() if p.active and p.price.amount > 0]
        if not products:
            return tuple(OfferItem(*item) for item in ADD_ONS)
        chosen = sorted(products, key=lambda p: p.sku)[:12]
        return tuple(OfferItem("cross_sell", p.sku, p.price.amount) for p in chosen)

    def _store(self, traffic: Traffic) -> None:
        for batch in _batches(records.decisions(traffic)):
            with self.database.transaction() as tx:
                tx.offers.save_decisions(batch)
        for answers in _batches(records.responses(traffic)):
            with self.database.transaction() as tx:
                for answer in answers:
                    tx.offers.save_response(answer.impression, answer.response, at=answer.at)
        for made in _batches(records.orders(traffic)):
            with self.database.transaction() as tx:
                tx.orders.insert_orders(made, source=SIMULATION_SOURCE)
        for given in _batches(records.refunds(traffic)):
            with self.database.transaction() as tx:
                for refund in given:
                    tx.refunds.record_refund(refund)


def summary(traffic: Traffic) -> dict[str, Any]:
    """What a simulation planted and wrote (the contract of `tactful simulate --json`)."""
    held = int(traffic.held_out.sum())
    return {
        "customers": len(traffic.customers),
        "treated": len(traffic.customers) - held,
        "held_out": held,
        "true_incremental_revenue": round(traffic.true_incremental_revenue),
        "currency": traffic.plan.currency,
        "uplift": traffic.plan.uplift,
        "seed": traffic.plan.seed,
        "from": traffic.plan.start.isoformat(),
        "to": traffic.end.isoformat(),
        "decisions": int(traffic.visit_customer.size),
        "impressions": int((traffic.visit_response >= 0).sum()),
        "orders": int(traffic.order_customer.size),
        "refunds": int(traffic.order_refunded.sum()),
    }


def customers_from_history(
    history: OrderHistory, count: int, rng: np.random.Generator, seed: int
) -> list[SimCustomer]:
    """`count` stored customers (drawn at random), each with their purchase rate and order
    value; made-up customers make up the number when the history has too few."""
    chosen: list[SimCustomer] = []
    if history.size and history.customer_ids:
        known = history.customers >= 0
        index = history.customers[known]
        orders = np.bincount(index, minlength=len(history.customer_ids))
        spend = np.bincount(
            index, weights=history.totals[known], minlength=len(history.customer_ids)
        )
        days = (history.times[known].max() - history.times[known].min()) / np.timedelta64(1, "D")
        span = max(float(days), 30.0)
        picks = rng.permutation(len(history.customer_ids))[:count]
        chosen = [
            SimCustomer(history.customer_ids[i], orders[i] / span, spend[i] / max(orders[i], 1))
            for i in picks.tolist()
            if orders[i] > 0
        ]
    missing = count - len(chosen)
    rates = rng.gamma(1.0, 0.012, size=missing)
    values = rng.lognormal(8.0, 0.6, size=missing)
    chosen += [
        SimCustomer(f"sim{seed}-c{i}", float(rates[i]), float(values[i])) for i in range(missing)
    ]
    return chosen


def _currency(history: OrderHistory) -> str:
    if not history.currencies:
        return "GBP"
    values, counts = np.unique(np.array(history.currencies), return_counts=True)
    return str(values[int(np.argmax(counts))])


def _batches(items: Iterable[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
