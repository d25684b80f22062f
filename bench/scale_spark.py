"""Scale: 3 million baskets resampled from Online Retail, mined by the local and Spark engines.

Run: .venv/bin/python bench/scale_spark.py [--baskets N] [--engines local,spark] [--seed S]
Targets (issue 3): the local mine() (itemsets, rules, top-50 cosine neighbours) in under 2
minutes with peak memory under 8 GB on 2 cores. Spark runs in local[2]; its memory is the
peak summed RSS of this process and every child (the JVM) while it runs.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from mine_speed import load_online_retail
from tactful.domain.affinity import Baskets, MiningConfig, count_itemsets, mine

PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


def resample(baskets: Baskets, n: int, seed: int) -> Baskets:
    """`n` baskets drawn with replacement (seeded) from `baskets`, built without a Python loop."""
    pick = np.random.default_rng(seed).integers(0, baskets.n_baskets, n)
    sizes = baskets.sizes[pick]
    indptr = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    offset = np.repeat(baskets.indptr[pick] - indptr[:-1], sizes)
    offset += np.arange(indptr[-1], dtype=np.int64)
    return Baskets(items=baskets.items, indptr=indptr, indices=baskets.indices[offset])


def _tree(root: int) -> list[tuple[int, float]]:
    """(resident bytes, CPU seconds) of `root` and all its descendants, read from /proc."""
    parents: dict[int, int] = {}
    usage: dict[int, tuple[int, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        parents[pid] = int(fields[1])
        usage[pid] = (int(fields[21]) * PAGE, (int(fields[11]) + int(fields[12])) / TICKS)
    found, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        found.append(usage.get(pid, (0, 0.0)))
        frontier.extend(child for child, parent in parents.items() if parent == pid)
    return found


def _tree_rss(root: int) -> int:
    return sum(rss for rss, _ in _tree(root))


def tree_cpu() -> float:
    """CPU seconds used so far by this process and its live descendants (the JVM)."""
    return sum(cpu for _, cpu in _tree(os.getpid()))


def _self_rss(_: int) -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * PAGE


@contextmanager
def peak_memory(children: bool = False, every: float = 0.1) -> Iterator[list[int]]:
    """Poll RSS in a thread (of the process tree when `children`); the list ends at the peak."""
    measure, pid = (_tree_rss if children else _self_rss), os.getpid()
    peak = [measure(pid)]
    done = threading.Event()

    def poll() -> None:
        while not done.wait(every * (5 if children else 1)):
            peak[0] = max(peak[0], measure(pid))

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        done.set()
        thread.join()
        peak[0] = max(peak[0], measure(pid))


def _gb(n: int) -> str:
    return f"{n / 2**30:.2f} GB"


def run_local(baskets: Baskets, config: MiningConfig) -> object:
    """Full mine() with the local engine; prints time, phases and peak memory."""
    with peak_memory() as peak:
        start, cpu = time.perf_counter(), time.process_time()
        model = mine(baskets, config)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    phases = ", ".join(f"{k} {v:.1f}s" for k, v in model.summary.timings.items())
    print(
        f"local  mine(): {seconds:6.1f} s wall, {cpu:6.1f} s CPU, peak RSS {_gb(peak[0])} "
        f"[{phases}]; "
        f"{model.summary.n_itemsets:,} itemsets, {model.summary.n_rules:,} rules, "
        f"{model.neighbour_table.indices.size:,} neighbour entries"
    )
    return model.itemsets


def run_spark(baskets: Baskets, config: MiningConfig, expected: object, memory: str) -> None:
    """Itemsets with the Spark engine in local[2]; prints time, peak memory, agreement."""
    from tactful.adapters.spark import SparkEngine, spark_session

    with (
        peak_memory(children=True) as peak,
        tempfile.TemporaryDirectory(prefix="tactful-scale-") as tmp,
    ):
        start = time.perf_counter()
        session = spark_session(
            "local[2]",
            config={"spark.driver.memory": memory, "spark.local.dir": tmp},
        )
        session.sparkContext.setLogLevel("ERROR")
        started = time.perf_counter() - start
        cpu = tree_cpu()
        itemsets = SparkEngine(session).frequent_itemsets(baskets, config)
        seconds, cpu = time.perf_counter() - start, tree_cpu() - cpu
        session.stop()
    same = expected is None or itemsets.same_as(expected)  # type: ignore[attr-defined]
    print(
        f"spark  itemsets: {seconds:6.1f} s wall (session start {started:.1f} s), "
        f"{cpu:6.1f} s CPU (Python + JVM, after start), peak RSS "
        f"(Python + JVM) {_gb(peak[0])}; {itemsets.n_itemsets(config.min_support):,} itemsets, "
        f"same as local: {same}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baskets", type=int, default=3_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--min-support", type=float, default=0.01)
    parser.add_argument("--engines", default="local,spark")
    parser.add_argument("--driver-memory", default="8g")
    args = parser.parse_args()
    engines = set(args.engines.split(","))
    source = load_online_retail()
    start = time.perf_counter()
    baskets = resample(source, args.baskets, args.seed)
    del source
    print(
        f"{baskets.n_baskets:,} baskets resampled (seed {args.seed}) from Online Retail, "
        f"{baskets.indices.size:,} (basket, item) rows, built in "
        f"{time.perf_counter() - start:.1f} s; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores"
    )
    config = MiningConfig(min_support=args.min_support, max_len=3)
    expected = None
    if "local" in engines:
        expected = run_local(baskets, config)
    elif "spark" in engines:
        expected = count_itemsets(baskets, config)
    if "spark" in engines:
        run_spark(baskets, config, expected, args.driver_memory)
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
