"""All item-pair co-occurrence counts (min count 1) on full Online Retail: time and peak RSS.

Run: .venv/bin/python bench/pairs_memory.py [--repeat N]
Targets: under 2 s and under 2 GB peak resident memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

from mine_speed import load_online_retail
from tactful.domain.affinity import cooccurrence


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    baskets = load_online_retail()
    before = peak_rss_mb()
    best = best_cpu = float("inf")
    pairs = None
    for _ in range(args.repeat):
        start, cpu = time.perf_counter(), time.process_time()
        pairs = cooccurrence(baskets, min_count=1)
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    assert pairs is not None
    print(f"{baskets.n_baskets:,} baskets, {len(baskets.items):,} items")
    print(f"all pairs a<b with count >= 1: {pairs.nnz:,} ({2 * pairs.nnz:,} ordered pairs)")
    print(f"best of {args.repeat}: {best:.3f} s wall, {best_cpu:.3f} s CPU")
    print(
        f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores"
    )
    print(f"peak RSS: {peak_rss_mb():.0f} MB for the whole process ({before:.0f} MB after loading)")
    verdict = "met" if best < 2.0 and peak_rss_mb() < 2048 else "MISSED"
    print(f"targets < 2 s and < 2 GB: {verdict}")


if __name__ == "__main__":
    main()
