"""Basket-completion quality of tactful and the baselines vs ../shared/data/ANCHORS.md.

Run: .venv/bin/python bench/evaluate_quality.py [--seeds N]
Prints, per dataset, the mean of every metric over seeds 0..N-1, then HR@2 seed by seed
with tactful's margin over the best baseline of that seed and the ridge tuning chose.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from tactful.adapters.importers.mining_input import baskets_from_file
from tactful.domain.affinity.evaluation import Evaluation, Split, evaluate

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
ANCHORS = {
    "online-retail": {"popularity": 0.012, "confidence": 0.062, "cosine": 0.101},
    "groceries": {"popularity": 0.124, "confidence": 0.148, "cosine": 0.156},
}
CASES = [
    ("online-retail", DATA / "online_retail/online_retail.csv", "online-retail", "time:2011-11-01"),
    ("groceries", DATA / "groceries_arules/groceries.csv", "baskets", "random:0.8"),
]


def main() -> None:
    """Evaluate every case over the seeds and print the tables."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    seeds = range(parser.parse_args().seeds)
    for name, path, fmt, split in CASES:
        baskets = baskets_from_file(path, fmt)
        runs, seconds = [], []
        for seed in seeds:
            started = time.perf_counter()
            runs.append(evaluate(baskets, Split.parse(split), seed=seed))
            seconds.append(time.perf_counter() - started)
        print(f"\n{name} {split}: {runs[0].n_train} train, {runs[0].results[0].n_test} test carts")
        print(f"evaluate: {np.mean(seconds):.1f} s per seed (min {min(seconds):.1f} s)")
        _print_means(name, runs)
        _print_seeds(runs)


def _print_means(name: str, runs: list[Evaluation]) -> None:
    print(
        f"{'ranking':12s} {'HR@1':>6s} {'HR@2':>6s} {'HR@10':>6s} {'revHR@2':>8s} "
        f"{'cover':>6s} {'anchor@2':>8s}   (mean of {len(runs)} seeds)"
    )
    for i, metric in enumerate(runs[0].results):
        rows = [run.results[i] for run in runs]
        hr = {k: np.mean([m.hit_rates[k] for m in rows]) for k in (1, 2, 10)}
        rev = [m.revenue_hr2 for m in rows if m.revenue_hr2 is not None]
        cov = np.mean([m.coverage for m in rows])
        anchor = ANCHORS[name].get(metric.ranking)
        print(
            f"{metric.ranking:12s} {hr[1]:6.3f} {hr[2]:6.3f} {hr[10]:6.3f} "
            f"{(np.mean(rev) if rev else float('nan')):8.3f} {cov:6.3f} "
            f"{(anchor or float('nan')):8.3f}"
        )


def _print_seeds(runs: list[Evaluation]) -> None:
    names = [m.ranking for m in runs[0].results]
    print("HR@2 by seed: " + " ".join(f"{n:>10s}" for n in names) + "     margin  ridge")
    for run in runs:
        rates = [m.hit_rates[2] for m in run.results]
        margin = rates[0] - run.best_baseline().hit_rates[2]
        ridge = run.weights.ridge if run.weights else float("nan")
        cells = " ".join(f"{r:10.3f}" for r in rates)
        print(f"  seed {run.seed:<6d} {cells}   {margin:+.3f}  {ridge:5.2f}")


if __name__ == "__main__":
    main()
