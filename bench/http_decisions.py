"""POST /v1/decisions over real HTTP: A/B against a baseline commit, open loop, 1 vs N processes.

Run: .venv/bin/python bench/http_decisions.py [--baseline aa9676a] [--seconds 30] [--rounds 10]
     [--rate 500] [--open-seconds 20] [--connections 16] [--warmup 40000] [--sample-rows 0]
     [--db-dir DIR] [--database-url postgresql+psycopg://...] [--workers 2]
     [--phases ab,open,workers]

The database is Online Retail imported and mined once with the current tree's CLI
(`--db-dir` keeps it for the next run); every server is the real `tactful serve`, a
subprocess on a free loopback port, driven from this process by a lean keep-alive client.

- ab: the current tree and `--baseline` (checked out with `git worktree`), one process each on
  its own SQLite copy, and a constant FastAPI endpoint (the floor), driven in turn by a closed
  loop in interleaved rounds, so each gets the same share of this machine's good and bad
  minutes. Prints server CPU per decision of both and their ratio per round and median (target
  at most 1.3x) twice: as shipped, and issue-20-comparable (the current tree again with the
  later issues' optional per-request work off through its Settings: no access log; no
  experiment runs in the bench's database; the budget, metrics and request ids have no
  setting). The ratio to the floor is printed for context only.
- open: the current tree at `--rate` decisions/s whatever it does: p50/p99 (target p99 < 10
  ms), errors (target 0), and whether every offer returned was stored as an impression.
- workers: the current tree as 1 and as `--workers` processes on `--database-url` (PostgreSQL
  is the production case; default a SQLite copy), closed loop in interleaved rounds,
  throughput side by side. Runs when asked in --phases or when --database-url is given.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from http_data import (
    copy_sqlite,
    prepared,
    prepared_database,
    running_experiments,
    stored_counts,
)
from http_load import Tally, closed_loop, decision_bodies, open_loop
from http_servers import (
    Server,
    checkout,
    start_floor,
    start_tactful,
    stop,
)

BODIES = 250_000
CPU_RATIO_TARGET = 1.3
OPEN_P99_TARGET_MS = 10.0
LATER_ISSUES_OFF = {"TACTFUL_ACCESS_LOG": "false"}
"""The later issues' (21-25) per-request work that existing Settings switch off; the bench
prepares its database with no experiment, so no arms are drawn either way."""
WARMUP_LIMIT_S = 120.0  # a warm-up ends after this long even if its requests are not all sent


@dataclass
class Setup:
    """What every phase shares: options, the prepared database and a scratch folder."""

    args: argparse.Namespace
    prepared_url: str  # SQLite, imported and mined once; phases serve copies of it
    customers: list[str]
    skus: list[str]
    folder: Path  # where the prepared database is kept (--db-dir)
    work: Path  # scratch, removed at the end

    def bodies(self, count: int, *, seed: int = 7, prefix: str = "visitor") -> list[bytes]:
        return decision_bodies(self.customers, self.skus, count, seed=seed, prefix=prefix)


@dataclass
class Driven:
    """A server under closed-loop load, with what each round measured."""

    server: Server
    path: str
    bodies: list[bytes]
    first_body: int = 0  # the number of the first body sent; later ones follow in order
    next_body: Iterator[int] = field(init=False)
    tally: Tally = field(default_factory=Tally)
    cpu: list[float] = field(default_factory=list)  # server CPU seconds per request, each round
    rate: list[float] = field(default_factory=list)  # requests per second, each round
    cpu_spent: float = 0.0

    def __post_init__(self) -> None:
        self.next_body = itertools.count(self.first_body)

    def drive(self, seconds: float, connections: int) -> None:
        used = self.server.cpu()
        port, path = self.server.port, self.path
        part = asyncio.run(
            closed_loop(port, path, self.bodies, seconds, connections, self.next_body)
        )
        spent = self.server.cpu() - used
        count = max(len(part.latencies), 1)
        self.cpu_spent += spent
        self.cpu.append(spent / count)
        self.rate.append(count / part.seconds)
        self.tally.absorb(part)

    @property
    def cpu_per_request(self) -> float:
        return self.cpu_spent / max(len(self.tally.latencies), 1)

    def report(self) -> None:
        self.tally.report(self.server.label, self.cpu_per_request)


def drive_in_rounds(driven: list[Driven], args: argparse.Namespace) -> None:
    """Warm each server up, then drive each in turn, rotating who goes first each round.

    Each server is warmed up with the same first `--warmup` requests (not for the same time):
    a decision server keeps returning customers' purchases and each SKU's evidence in
    memory, so a faster server warmed for a fixed time would start the rounds with more of
    them held, and its CPU per decision would look lower for that alone.
    """
    for one in driven:
        port, path, bodies = one.server.port, one.path, one.bodies
        warm = asyncio.run(
            closed_loop(
                port,
                path,
                bodies,
                WARMUP_LIMIT_S,
                args.connections,
                one.next_body,
                one.first_body + args.warmup,
            )
        )
        print(f"{one.server.label}: warmed up with {len(warm.latencies)} requests")
    print(
        f"closed loop, {args.connections} connections, {args.seconds:.0f} s per server "
        f"in {args.rounds} interleaved rounds:"
    )
    for number in range(args.rounds):
        first = number % len(driven)
        for one in driven[first:] + driven[:first]:
            one.drive(args.seconds / args.rounds, args.connections)
    for one in driven:
        one.report()


def spread(values: list[float], unit: str = "x") -> str:
    """Median and range of per-round figures, e.g. '1.02x (0.95-1.10x)'."""
    low, high = min(values), max(values)
    return f"{statistics.median(values):.2f}{unit} ({low:.2f}-{high:.2f}{unit})"


def met(ratios: list[float]) -> str:
    return "met" if statistics.median(ratios) <= CPU_RATIO_TARGET else "NOT met"


def describe(settings: dict[str, str]) -> str:
    return ", ".join(f"{name}={value}" for name, value in settings.items())


def compare_with_baseline(setup: Setup, current: Server, stack: ExitStack) -> None:
    """Phase ab: CPU per decision of the current tree vs the baseline, and the floor's ratio."""
    ref, work = setup.args.baseline, setup.work
    print(f"\n== ab: current tree vs {ref}, SQLite, one server process each")
    source = stack.enter_context(checkout(ref))
    # the baseline cannot open a schema migrated past its own head: it builds its own database
    # with its own commands (import and mine), kept beside the current tree's for the next run
    kept = setup.folder / f"baseline-{ref}"
    url, _, _ = prepared(kept, setup.args.sample_rows, work / "baseline", source)
    baseline = start_tactful(f"baseline {ref}", url, work / "baseline", source=source)
    comparable_url = copy_sqlite(setup.prepared_url, work / "comparable")
    running = running_experiments(comparable_url)
    comparable = start_tactful(
        "current, issue-20-comparable", comparable_url, work, settings=LATER_ISSUES_OFF
    )
    floor = start_floor()
    stack.callback(stop, [baseline, comparable, floor])
    bodies = setup.bodies(BODIES)  # every server gets the same requests, in the same order
    tested = Driven(current, "/v1/decisions", bodies)
    quiet = Driven(comparable, "/v1/decisions", bodies)
    before = Driven(baseline, "/v1/decisions", bodies)
    constant = Driven(floor, "/floor", [b"{}"])
    drive_in_rounds([constant, before, tested, quiet], setup.args)
    ratios = [now / then for now, then in zip(tested.cpu, before.cpu, strict=True)]
    quiet_ratios = [now / then for now, then in zip(quiet.cpu, before.cpu, strict=True)]
    shares = [now / bare for now, bare in zip(tested.rate, constant.rate, strict=True)]
    for number, (then, now) in enumerate(zip(before.cpu, tested.cpu, strict=True)):
        print(
            f"  round {number + 1:>2}: CPU per decision {then * 1e6:5.0f} -> {now * 1e6:5.0f} µs"
            f" ({ratios[number]:.2f}x), comparable {quiet.cpu[number] * 1e6:5.0f} µs"
            f" ({quiet_ratios[number]:.2f}x); throughput {shares[number]:.0%} of the floor"
        )
    overall = tested.cpu_per_request / before.cpu_per_request
    quiet_overall = quiet.cpu_per_request / before.cpu_per_request
    print(
        f"CPU per decision, current / baseline, as shipped: median {spread(ratios)}, "
        f"all rounds {overall:.2f}x; target <= {CPU_RATIO_TARGET}x: {met(ratios)}"
    )
    print(
        f"  issue-20-comparable ({describe(LATER_ISSUES_OFF)}; {running} running experiments; "
        f"on, having no setting: the budget, metrics, request ids): median "
        f"{spread(quiet_ratios)}, all rounds {quiet_overall:.2f}x: {met(quiet_ratios)}"
    )
    print(f"context only: throughput of decisions / FastAPI floor: {spread(shares, '')}")


def open_loop_check(setup: Setup, current: Server, url: str) -> None:
    """Phase open: a fixed rate of new requests; latency, errors, and every impression stored."""
    rate, seconds = setup.args.rate, setup.args.open_seconds
    print(f"\n== open loop at {rate:.0f} decisions/s for {seconds:.0f} s, SQLite, one process")
    bodies = setup.bodies(int(rate * seconds), seed=8, prefix="open")
    before = stored_counts(url)
    tally = asyncio.run(open_loop(current.port, bodies, rate, seconds))
    tally.report("POST /v1/decisions (open)")
    time.sleep(0.5)
    after = stored_counts(url)
    answered = len(tally.latencies) - tally.errors
    logged, shown = after[0] - before[0], after[1] - before[1]
    complete = logged == answered and shown == tally.offers
    print(
        f"decisions answered {answered}, logged {logged}; offers returned {tally.offers}, "
        f"impressions stored {shown}: {'ALL STORED' if complete else 'MISMATCH'}"
    )
    met = tally.percentile_ms(99) < OPEN_P99_TARGET_MS and tally.errors == 0 and complete
    target = f"p99 < {OPEN_P99_TARGET_MS:.0f} ms, 0 errors, all stored"
    print(f"targets {target}: {'met' if met else 'NOT met'}")


def compare_workers(setup: Setup, stack: ExitStack) -> None:
    """Phase workers: throughput of 1 and of N server processes on one database."""
    args = setup.args
    if args.database_url:
        url, data_dir = args.database_url, setup.folder / "server-models"
        prepared_database(url, data_dir, args.sample_rows)
    else:
        data_dir = setup.work / "workers"
        url = copy_sqlite(setup.prepared_url, data_dir)
    kind = url.split(":", 1)[0].split("+", 1)[0]
    print(f"\n== workers: 1 vs {args.workers} server processes on {kind}")
    one = start_tactful("tactful serve", url, data_dir)
    stack.callback(stop, [one])
    label = f"tactful serve --workers {args.workers}"
    many = start_tactful(label, url, data_dir, workers=args.workers)
    stack.callback(stop, [many])
    bodies = setup.bodies(BODIES, seed=9, prefix=f"run{int(time.time())}")  # new on a kept DB
    single = Driven(one, "/v1/decisions", bodies)
    several = Driven(many, "/v1/decisions", bodies, first_body=BODIES // 2)
    drive_in_rounds([single, several], args)
    gains = [n / s for n, s in zip(several.rate, single.rate, strict=True)]
    print(f"throughput, {args.workers} processes / 1: {spread(gains)} per round")


def run(args: argparse.Namespace) -> None:
    phases = set(args.phases.split(",")) | ({"workers"} if args.database_url else set())
    with tempfile.TemporaryDirectory(prefix="tactful-bench-") as tmp:
        work = Path(tmp)
        folder = Path(args.db_dir) if args.db_dir else work / "prepared"
        folder.mkdir(parents=True, exist_ok=True)
        url, customers, skus = prepared(folder, args.sample_rows, folder)
        setup = Setup(args, url, customers, skus, folder, work)
        print(f"{os.cpu_count()} cores, load average before: {os.getloadavg()}")
        if phases & {"ab", "open"}:
            with ExitStack() as stack:  # stops this block's servers before the next phase
                current_url = copy_sqlite(url, work / "current")
                current = start_tactful("current tree", current_url, work / "current")
                stack.callback(stop, [current])
                if "ab" in phases:
                    compare_with_baseline(setup, current, stack)
                if "open" in phases:
                    open_loop_check(setup, current, current_url)
        if "workers" in phases:
            with ExitStack() as stack:
                compare_workers(setup, stack)
        print(f"\nload average after: {os.getloadavg()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="aa9676a", help="commit to compare with (ab)")
    parser.add_argument("--seconds", type=float, default=30.0, help="closed loop, per server")
    parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds of it")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--warmup", type=int, default=40_000, help="requests each server answers before rounds"
    )
    parser.add_argument("--rate", type=float, default=500.0, help="open loop, decisions/s")
    parser.add_argument("--open-seconds", type=float, default=20.0)
    parser.add_argument("--sample-rows", type=int, default=0, help="0 = the full file")
    parser.add_argument("--db-dir", default="", help="keep the prepared database here, reuse it")
    parser.add_argument("--database-url", default="", help="database of the workers phase")
    parser.add_argument("--workers", type=int, default=2, help="processes in the workers phase")
    parser.add_argument("--phases", default="ab,open", help="any of ab,open,workers")
    args = parser.parse_args()
    os.environ.setdefault("PYTHONHASHSEED", "0")
    run(args)


if __name__ == "__main__":
    main()
