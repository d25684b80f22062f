"""Check the report's statistics against planted truths, over many simulated seeds.

Prints, for the simulator of `tactful simulate` run in memory (the same outcomes and overview
the report computes from stored traffic; tests/services/test_reports.py shows they agree):

- coverage: how often the 95% interval of incremental revenue holds the planted revenue;
- A/A: with nothing planted, how often the fixed-horizon test calls a difference (p < 0.05);
- peeking: with nothing planted, looking every day, how often any look calls a difference,
  with the fixed-horizon test (inflated) and with the always-valid mSPRT.

    .venv/bin/python bench/simulation_coverage.py [--runs 1000] [--customers 4000]
"""

from __future__ import annotations

import argparse
import math
import time
from datetime import UTC, datetime

import numpy as np

from tactful.domain.experiments import assign
from tactful.domain.measurement import OverviewSettings, overview
from tactful.domain.measurement.simulation import OfferItem, SimCustomer, SimulationPlan, simulate

OFFERS = tuple(
    OfferItem("cross_sell", f"ADDON-{i}", price) for i, price in enumerate((500, 900, 1500, 2500))
)
START = datetime(2026, 1, 1, tzinfo=UTC)


def customers(count: int, seed: int) -> list[SimCustomer]:
    """Heavy-tailed spenders: purchase rates gamma(1), order values log-normal."""
    rng = np.random.default_rng(10_000 + seed)
    rates, values = rng.gamma(1.0, 0.012, size=count), rng.lognormal(8.0, 0.6, size=count)
    return [
        SimCustomer(f"c{seed}-{i}", float(r), float(v))
        for i, (r, v) in enumerate(zip(rates, values, strict=True))
    ]


def run(seed: int, uplift: float, count: int, share: float, days: int) -> tuple:
    plan = SimulationPlan(START, days, uplift, seed, OFFERS)
    people = customers(count, seed)
    traffic = simulate(people, plan, lambda customer: assign(customer, f"h{seed}", share))
    return traffic, OverviewSettings(holdout_share=share)


def coverage(runs: int, count: int, share: float, days: int) -> tuple[float, float]:
    covered, reductions = 0, []
    for seed in range(runs):
        traffic, settings = run(seed, 0.05, count, share, days)
        found = overview(traffic.outcomes(), settings)
        assert found.incremental is not None
        assert found.cuped is not None
        low, high = found.incremental[1], found.incremental[2]
        covered += low <= traffic.true_incremental_revenue <= high
        reductions.append(found.cuped.variance_reduction)
    return covered / runs, float(np.mean(reductions))


def aa(runs: int, count: int, share: float, days: int) -> tuple[float, float]:
    fixed = sequential = 0
    for seed in range(runs):
        traffic, settings = run(100_000 + seed, 0.0, count, share, days)
        found = overview(traffic.outcomes(), settings)
        assert found.cuped is not None
        assert found.sequential is not None
        fixed += found.cuped.lift.p_value < 0.05
        sequential += found.sequential.significant
    return fixed / runs, sequential / runs


def peeking(runs: int, count: int, share: float, days: int) -> tuple[float, float]:
    fixed = sequential = 0
    for seed in range(runs):
        traffic, settings = run(200_000 + seed, 0.0, count, share, days)
        looks = [overview(traffic.outcomes(until_day=day), settings) for day in range(1, days + 1)]
        fixed += any(o.cuped is not None and o.cuped.lift.p_value < 0.05 for o in looks)
        sequential += any(o.sequential is not None and o.sequential.significant for o in looks)
    return fixed / runs, sequential / runs


def interval(rate: float, runs: int) -> str:
    return f"±{1.96 * math.sqrt(rate * (1 - rate) / runs):.1%}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--peeking-runs", type=int, default=400)
    parser.add_argument("--customers", type=int, default=4000)
    parser.add_argument("--holdout-share", type=float, default=0.1)
    parser.add_argument("--days", type=int, default=28)
    args = parser.parse_args()
    shape = (args.customers, args.holdout_share, args.days)
    started = time.process_time()
    covered, reduction = coverage(args.runs, *shape)
    print(
        f"coverage of the planted incremental revenue by the 95% CI: {covered:.1%} "
        f"({interval(covered, args.runs)}, {args.runs} runs; target 93-97%); "
        f"mean CUPED variance reduction {reduction:.1%}"
    )
    fixed, sequential = aa(args.runs, *shape)
    print(
        f"A/A false positives at the horizon: fixed {fixed:.1%} ({interval(fixed, args.runs)}), "
        f"mSPRT {sequential:.1%} (target <= 5% ± 2%)"
    )
    fixed, sequential = peeking(args.peeking_runs, *shape)
    print(
        f"A/A peeking daily for {args.days} days, any look significant: fixed-horizon "
        f"{fixed:.1%}, mSPRT {sequential:.1%} ({args.peeking_runs} runs; target <= 5%)"
    )
    print(
        f"{args.customers} customers, holdout {args.holdout_share:.0%}, {args.days} days; "
        f"CPU {time.process_time() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
