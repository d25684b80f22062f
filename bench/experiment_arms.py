"""Per-decision cost of the experiment seam: `ExperimentPolicies.arms` with N running experiments.

Run: .venv/bin/python bench/experiment_arms.py [--calls N]
Prints wall and CPU microseconds per call for 0, 1, 3 and 10 running experiments (half of them
limited to one moment, half on a 50% slice of their layer), against a store held in memory.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

from tactful.domain.experiments import Experiment, StopRecord, Variant
from tactful.domain.offers import OfferPolicy
from tactful.services.experiment_policy import ExperimentPolicies

STARTED = datetime(2026, 3, 1, tzinfo=UTC)
VARIANTS = (
    Variant("control", 50),
    Variant("treated", 50, max_offers=1, headline="plain", discount_percent=10, format="compact"),
)


class HeldStore:
    """The experiments in a list (the seam reads them once per refresh)."""

    def __init__(self, experiments: list[Experiment]) -> None:
        self.experiments = experiments

    def add(self, experiment: Experiment) -> None:
        self.experiments.append(experiment)

    def get(self, experiment_id: str) -> Experiment | None:
        return next((e for e in self.experiments if e.experiment_id == experiment_id), None)

    def all(self) -> list[Experiment]:
        return list(self.experiments)

    def stop(self, experiment_id: str, record: StopRecord) -> None:
        raise NotImplementedError

    def variants_shown(
        self, experiment_id: str, *, since: datetime, until: datetime
    ) -> dict[str, str]:
        return {}


def running(count: int) -> list[Experiment]:
    return [
        Experiment(
            f"exp_{n}",
            f"bench {n}",
            VARIANTS,
            "running",
            STARTED,
            layer=f"layer{n}",
            moments=("cart",) if n % 2 else (),
            traffic=50 if n % 2 == 0 else 100,
        )
        for n in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=100_000)
    calls = parser.parse_args().calls
    base = OfferPolicy()
    customers = [f"cus_{n}" for n in range(calls)]
    for count in (0, 1, 3, 10):
        policies = ExperimentPolicies(HeldStore(running(count)), refresh=3600)
        policies.arms("warm", "cart", base)
        wall, cpu = time.perf_counter(), time.process_time()
        for customer in customers:
            policies.arms(customer, "cart", base)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"{count:>2} running experiments: {wall / calls * 1e6:6.2f} us wall, "
            f"{cpu / calls * 1e6:6.2f} us CPU per decision ({calls:,} calls)"
        )


if __name__ == "__main__":
    main()
