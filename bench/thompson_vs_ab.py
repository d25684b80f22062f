"""Thompson-sampling allocation between one anchor's candidates against a fixed even A/B split.

The simulator of `tactful simulate` (tactful.domain.measurement.simulation) draws customers,
visits, the global holdout and baseline orders; every treated visit then shows one of the
anchor's candidates, accepted with its planted rate. Both allocations run on the same traffic
(same seed), one after the other:

- A/B: a sticky even split by customer (tactful.domain.experiments.variant), as an experiment;
- Thompson: tactful.domain.offers.thompson as the engine calls it (each draw weighed by the
  offer's price), from the counts as re-read every `--refresh` seconds (600, as the decision
  service's ArmCountCache); TS-accept: the same on acceptance alone, for contrast.

Over many seeds it prints accepted offers, net revenue and regret against always showing the
best candidate; the honesty cost (the naive per-arm acceptance estimate acceptances/impressions
at the end, its mean error and spread per arm); and whether the holdout-based incremental
revenue interval of the report still covers the revenue the offers truly added (target 93-97%).

    nice .venv/bin/python bench/thompson_vs_ab.py [--runs 200] [--customers 4000]
        [--rates 0.04,0.05,0.06,0.08] [--prices 1500,1200,1500,1200] [--refresh 600]
    nice .venv/bin/python bench/thompson_vs_ab.py --store COPY.db   # the counts' read alone
"""

from __future__ import annotations

import argparse
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import create_engine

from simulation_coverage import customers  # the same heavy-tailed spenders
from tactful.adapters.db.repositories.offers import arm_counts
from tactful.domain.catalog import Product, ProductKind, Sku
from tactful.domain.customers import Customer, CustomerId
from tactful.domain.experiments import assign, variant
from tactful.domain.measurement import OverviewSettings, overview
from tactful.domain.measurement.simulation import (
    OfferItem,
    SimulationPlan,
    Traffic,
    simulate,
)
from tactful.domain.money import Money
from tactful.domain.offers import (
    CartLine,
    DecisionContext,
    Evidence,
    InMemoryAffinity,
    Moment,
    OfferCatalog,
    OfferPolicy,
)
from tactful.domain.offers.engine import decide
from tactful.domain.offers.thompson import ArmCounts, thompson_pick
from tactful.services.offer_allocation import ARM_REFRESH, ARM_WINDOW

START = datetime(2026, 1, 1, tzinfo=UTC)
Chooser = Callable[[str, dict[str, ArmCounts]], str]


@dataclass(frozen=True, slots=True)
class Arms:
    """The anchor's candidates: keys, planted acceptance rates, prices (minor units)."""

    keys: tuple[str, ...]
    rates: tuple[float, ...]
    prices: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class RunResult:
    """One allocation on one seed."""

    accepted: int
    net_revenue: float
    best_revenue: float
    shown: tuple[int, ...]
    naive: tuple[float, ...]
    covered: bool


def baseline(seed: int, count: int, share: float, days: int) -> Traffic:
    """Visits, holdout and baseline orders; uplift 0, so only the allocated offers add."""
    plan = SimulationPlan(START, days, 0.0, seed, (OfferItem("cross_sell", "X", 1),))
    return simulate(customers(count, seed), plan, lambda c: assign(c, f"h{seed}", share))


def allocate(
    traffic: Traffic, arms: Arms, choose: Chooser, seed: int, refresh: float
) -> tuple[Traffic, float]:
    """Show a candidate on every treated visit in time order; return the traffic with the
    accepted offers as orders, and the net revenue the offers truly add in expectation.
    The chooser sees the counts as last read, every `refresh` seconds (as ArmCountCache)."""
    world = random.Random(seed)
    keep = 1 - traffic.plan.refund_share
    counts = {key: ArmCounts() for key in arms.keys}
    read, read_at = dict(counts), 0.0
    offer = np.full(traffic.visit_customer.size, -1, dtype=np.int64)
    response = np.full(traffic.visit_customer.size, -1, dtype=np.int64)
    truth, accepted = 0.0, []
    for visit in np.argsort(traffic.visit_seconds, kind="stable").tolist():
        customer = int(traffic.visit_customer[visit])
        if traffic.held_out[customer]:
            continue
        if traffic.visit_seconds[visit] - read_at >= refresh:
            read, read_at = dict(counts), float(traffic.visit_seconds[visit])
        arm = arms.keys.index(choose(traffic.customers[customer].customer_id, read))
        took = world.random() < arms.rates[arm]
        seen = counts[arms.keys[arm]]
        counts[arms.keys[arm]] = ArmCounts(seen.impressions + 1, seen.acceptances + took)
        offer[visit], response[visit] = arm, 0 if took else 1
        truth += arms.rates[arm] * arms.prices[arm] * keep
        if took:
            accepted.append(visit)
    return _with_orders(traffic, arms, offer, response, accepted, world), truth


def _with_orders(
    traffic: Traffic,
    arms: Arms,
    offer: np.ndarray,
    response: np.ndarray,
    accepted: list[int],
    world: random.Random,
) -> Traffic:
    taken = np.array(accepted, dtype=np.int64)
    prices = np.array(arms.prices, dtype=np.int64)[offer[taken]]
    refunded = np.array([world.random() < traffic.plan.refund_share for _ in accepted], dtype=bool)
    return replace(
        traffic,
        visit_offer=offer,
        visit_response=response,
        order_customer=np.concatenate([traffic.order_customer, traffic.visit_customer[taken]]),
        order_seconds=np.concatenate([traffic.order_seconds, traffic.visit_seconds[taken] + 60]),
        order_value=np.concatenate([traffic.order_value, prices]),
        order_units=np.concatenate([traffic.order_units, np.ones(taken.size, dtype=np.int64)]),
        order_refunded=np.concatenate([traffic.order_refunded, refunded]),
        order_offer=np.concatenate([traffic.order_offer, taken]),
    )


def measure(
    traffic: Traffic, arms: Arms, choose: Chooser, seed: int, args: argparse.Namespace
) -> RunResult:
    allocated, truth = allocate(traffic, arms, choose, seed, args.refresh)
    share = args.holdout_share
    found = overview(allocated.outcomes(), OverviewSettings(holdout_share=share))
    assert found.incremental is not None
    offered = allocated.visit_offer >= 0
    shown = np.bincount(allocated.visit_offer[offered], minlength=len(arms.keys))
    took = np.bincount(
        allocated.visit_offer[allocated.visit_response == 0], minlength=len(arms.keys)
    )
    keep = 1 - traffic.plan.refund_share
    kept = allocated.order_offer >= 0
    net = float(allocated.order_value[kept & ~allocated.order_refunded].sum())
    return RunResult(
        accepted=int(took.sum()),
        net_revenue=net,
        best_revenue=int(offered.sum())
        * max(r * p for r, p in zip(arms.rates, arms.prices, strict=True))
        * keep,
        shown=tuple(shown.tolist()),
        naive=tuple((took / np.maximum(shown, 1)).tolist()),
        covered=found.incremental[1] <= truth <= found.incremental[2],
    )


def ab_chooser(arms: Arms, seed: int) -> Chooser:
    weights = dict.fromkeys(arms.keys, 1.0)
    return lambda customer, _counts: variant(customer, f"ab{seed}", weights)


def thompson_chooser(arms: Arms, seed: int) -> Chooser:
    """The engine's weighing: each draw times what the offer adds (its price)."""
    rng, keys, everyone = random.Random(seed), list(arms.keys), [True] * len(arms.keys)
    prices = [float(p) for p in arms.prices]
    return lambda _customer, counts: thompson_pick(keys, everyone, counts, 1, rng, values=prices)[0]


def acceptance_chooser(arms: Arms, seed: int) -> Chooser:
    """Thompson on acceptance alone (no weighing), for contrast."""
    rng, keys, everyone = random.Random(seed), list(arms.keys), [True] * len(arms.keys)
    return lambda _customer, counts: thompson_pick(keys, everyone, counts, 1, rng)[0]


def summarise(name: str, results: list[RunResult], arms: Arms) -> None:
    runs = len(results)
    accepted = np.array([r.accepted for r in results], dtype=float)
    net = np.array([r.net_revenue for r in results])
    regret = np.array([r.best_revenue for r in results]) - net
    covered = float(np.mean([r.covered for r in results]))
    margin = 1.96 * math.sqrt(covered * (1 - covered) / runs)
    naive = np.array([r.naive for r in results]) - np.array(arms.rates)
    shown = np.array([r.shown for r in results], dtype=float)
    print(
        f"{name:>8}: accepted {accepted.mean():7.0f} ± {accepted.std() / math.sqrt(runs):4.0f}, "
        f"net revenue {net.mean() / 100:9.0f} ± {net.std() / math.sqrt(runs) / 100:5.0f}, "
        f"regret {regret.mean() / 100:8.0f} (major units per run, ± s.e.); holdout CI covers "
        f"the true added revenue in {covered:.1%} ±{margin:.1%}"
    )
    estimate = naive + np.array(arms.rates)
    wald = 1.96 * np.sqrt(estimate * (1 - estimate) / np.maximum(shown, 1))
    held = np.abs(naive) <= wald
    for arm, key in enumerate(arms.keys):
        error = naive[:, arm]
        print(
            f"          {key} planted {arms.rates[arm]:.3f}: shown {shown[:, arm].mean():7.0f}, "
            f"naive estimate error mean {error.mean():+.4f} "
            f"(relative {error.mean() / arms.rates[arm]:+.1%}), sd {error.std():.4f}, "
            f"naive 95% CI covers {held[:, arm].mean():.1%}"
        )


def time_the_read(path: str) -> None:
    """What ArmCountCache's read costs on a stored log (a copy: nothing is written)."""
    engine = create_engine(f"sqlite:///{path}")
    since = datetime.now(UTC) - ARM_WINDOW
    with engine.connect() as connection:
        for _ in range(3):
            wall, cpu = time.perf_counter(), time.process_time()
            found = arm_counts(connection, since=since)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            shown = sum(c.impressions for c in found.values())
            print(f"{len(found)} offer keys, {shown:,} impressions: ", end="")
            print(f"{wall:.2f} s wall, {cpu:.2f} s CPU")


def time_the_engine(calls: int) -> None:
    """decide() for a cart of one anchor with 6 eligible cross-sells, ranked against Thompson
    (counts for every candidate), alternating in rounds of `calls`."""
    products = [Product(Sku("A"), "A", Money(5000, "GBP"), ProductKind.PHYSICAL)]
    products += [
        Product(Sku(f"X{n}"), f"X{n}", Money(500 + 100 * n, "GBP"), ProductKind.PHYSICAL)
        for n in range(6)
    ]
    rules = [
        Evidence((Sku("A"),), Sku(f"X{n}"), 50 + n, 200, 0.005, 0.3, 2.0, 0.5) for n in range(6)
    ]
    counts = {f"cross_sell:X{n}:A": ArmCounts(1000, 10 * (n + 1)) for n in range(6)}
    base = DecisionContext("d", START, OfferCatalog.build(products), InMemoryAffinity(rules))
    who, cart = Customer(CustomerId("c")), [CartLine(Sku("A"))]
    for policy in (
        OfferPolicy(holdout_share=0.0),
        OfferPolicy(holdout_share=0.0, allocation="thompson"),
    ) * 3:
        context = replace(base, policy=policy, arm_counts=counts)
        cpu = time.process_time()
        for n in range(calls):
            decide(who, Moment.CART, cart, replace(context, decision_id=f"d{n}"))
        cpu = (time.process_time() - cpu) / calls * 1e6
        print(f"{policy.allocation:>8}: {cpu:.1f} us CPU per decide() ({calls:,} calls)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--customers", type=int, default=4000)
    parser.add_argument("--holdout-share", type=float, default=0.1)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--rates", default="0.04,0.05,0.06,0.08")
    parser.add_argument("--prices", default="1500,1200,1500,1200")
    parser.add_argument("--refresh", type=float, default=ARM_REFRESH, help="seconds")
    parser.add_argument("--store", help="time the counts' read on this SQLite file instead")
    parser.add_argument("--engine", type=int, help="time decide() with N calls instead")
    args = parser.parse_args()
    if args.store or args.engine:
        time_the_read(args.store) if args.store else time_the_engine(args.engine)
        return
    rates = tuple(float(r) for r in args.rates.split(","))
    prices = tuple(int(p) for p in args.prices.split(","))
    arms = Arms(tuple(f"cross_sell:ADDON-{i}:ANCHOR" for i in range(len(rates))), rates, prices)
    started = time.process_time()
    choosers = {"A/B": ab_chooser, "Thompson": thompson_chooser, "TS-accept": acceptance_chooser}
    found: dict[str, list[RunResult]] = {name: [] for name in choosers}
    for seed in range(args.runs):
        traffic = baseline(seed, args.customers, args.holdout_share, args.days)
        for name, make in choosers.items():
            found[name].append(measure(traffic, arms, make(arms, seed), seed, args))
    print(
        f"{args.runs} seeds, {args.customers} customers, holdout {args.holdout_share:.0%}, "
        f"{args.days} days; rates {args.rates}, prices {args.prices}; "
        f"counts re-read every {args.refresh:.0f} s"
    )
    for name, results in found.items():
        summarise(name, results, arms)
    print(f"CPU {time.process_time() - started:.1f} s")


if __name__ == "__main__":
    main()
