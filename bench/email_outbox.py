"""Benchmark: the email outbox. CPU per mail (rendering and SMTP to a local aiosmtpd included),
picking the next due mail among 1,000,000 outbox rows, and enrolling 100,000 customers.

Run: .venv/bin/python bench/email_outbox.py [--mails 2000] [--outbox-rows 1000000]
     [--customers 100000] [--database-url postgresql+psycopg://...] [--workers N]
     [--parts send,pick,enrol] [--profile]
Targets (issue 23): >= 200 mails/s sustained; pick-next < 5 ms with 1M rows; enrolment scan of
100,000 customers < 10 s. The SMTP server runs in its own process, so the CPU figures are the
worker's alone.
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing
import os
import pstats
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tactful.adapters.db.email_store import SqlEmailStore
from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.repositories._common import time_param
from tactful.adapters.db.schema import all_metadata, upgrade
from tactful.adapters.db.tables import consents, customers, order_lines, orders, products
from tactful.adapters.db.tables_email import email_outbox
from tactful.container import build_container
from tactful.settings import Settings

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SEQUENCE = """\
sequences:
  - id: bench
    trigger: {type: order_placed}
    holdout: 0.1
    quiet_hours: "00:00-00:00"
    steps:
      - value: {template: tips}
      - wait: 3d
      - check_in: {question: "How is it going?"}
    exit: [purchase, unsubscribe]
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fresh_database(url: str | None, folder: Path) -> str:
    """A migrated, empty database: a new SQLite file, or the given one emptied.

    PostgreSQL's tables are truncated: emptied by DELETE they kept the last run's dead rows and
    index entries until autovacuum came by, and each run measured inserts into that debris.
    """
    if url is None:
        url = f"sqlite:///{folder / 'bench.db'}"
    engine = build_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        tables = all_metadata().sorted_tables
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"TRUNCATE {', '.join(t.name for t in tables)}")
        else:
            for table in reversed(tables):
                conn.execute(table.delete())
    engine.dispose()
    return url


def seed_buyers(engine: sa.Engine, count: int, at: datetime) -> None:
    """`count` consenting customers, each with one order at `at` (bulk SQL, not the API)."""
    with engine.begin() as conn:
        stamp = time_param(conn)
        conn.execute(
            products.insert(),
            [
                {
                    "sku": "SKU1",
                    "name": "Thing",
                    "price": 900,
                    "currency": "GBP",
                    "kind": "physical",
                    "updated_at": at,
                }
            ],
        )
        ids = [f"c{i:07d}" for i in range(count)]
        conn.exec_driver_sql("SELECT 1")
        for table, rows in (
            (
                customers,
                [
                    {
                        "customer_id": c,
                        "email": f"{c}@example.com",
                        "timezone": "UTC",
                        "created_at": stamp(at),
                    }
                    for c in ids
                ],
            ),
            (
                consents,
                [
                    {
                        "customer_id": c,
                        "purpose": "marketing_email",
                        "granted": True,
                        "at": stamp(at - timedelta(days=1)),
                        "source": "bench",
                    }
                    for c in ids
                ],
            ),
            (
                orders,
                [
                    {
                        "order_id": f"o{c}",
                        "customer_id": c,
                        "created_at": stamp(at),
                        "currency": "GBP",
                        "source": "bench",
                    }
                    for c in ids
                ],
            ),
            (
                order_lines,
                [
                    {
                        "order_id": f"o{c}",
                        "line_no": 0,
                        "sku": "SKU1",
                        "quantity": 1,
                        "unit_price": 900,
                        "source": "main",
                    }
                    for c in ids
                ],
            ),
        ):
            compiled = table.insert().compile(dialect=conn.dialect, column_keys=list(rows[0]))
            names = compiled.positiontup
            if names is None:
                conn.exec_driver_sql(compiled.string, rows)
            else:
                conn.exec_driver_sql(compiled.string, [tuple(r[n] for n in names) for r in rows])


def _send_due(settings: Settings, ready: Any) -> tuple[int, float, float, float]:
    """One worker process: once all are started, everything due a minute after NOW.
    Returns (handled, start, end, CPU s), process start-up left out."""
    container = build_container(settings)
    ready.wait()
    start, cpu = time.time(), time.process_time()
    try:
        handled = container.email.run_due(NOW + timedelta(minutes=1))
    finally:
        end, cpu = time.time(), time.process_time() - cpu
        container.close()
    return handled, start, end, cpu


def _run_workers(settings: Settings, workers: int) -> tuple[int, float, float]:
    """(mails handled, wall s, CPU s of the workers) for `workers` processes at once."""
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        ready = manager.Barrier(workers)
        with context.Pool(workers) as pool:
            results = pool.starmap(_send_due, [(settings, ready)] * workers)
    wall = max(r[2] for r in results) - min(r[1] for r in results)
    return sum(r[0] for r in results), wall, sum(r[3] for r in results)


def bench_sending(
    url: str, folder: Path, mails: int, workers: int = 0, profile: bool = False
) -> None:
    port = free_port()
    profiler = cProfile.Profile(time.process_time) if profile and not workers else None
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ],
    )
    time.sleep(1.0)
    try:
        settings = Settings.from_env(
            {},
            environment="test",
            data_dir=folder,
            database_url=url,
            secret_key="sk_bench_0123456789abcdef",
            publishable_key="pk_bench_0123456789abcdef",
            smtp_url=f"smtp://127.0.0.1:{port}?starttls=false",
        )
        container = build_container(settings)
        container.sequences.load_text(SEQUENCE, "bench.yaml", NOW)
        seed_buyers(container.engine, mails, NOW - timedelta(minutes=5))
        container.email.enrol(NOW)
        if workers:
            container.close()
            handled, wall, cpu = _run_workers(settings, workers)
        else:
            wall, cpu = time.perf_counter(), time.process_time()
            if profiler is not None:
                profiler.enable()
            handled = container.email.run_due(NOW + timedelta(minutes=1))
            if profiler is not None:
                profiler.disable()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            container.close()
    finally:
        server.terminate()
        server.wait()
    who = f"{workers} worker processes" if workers else "1 worker in this process"
    print(
        f"send ({who}): {handled:,} mails (10% holdout not sent) to aiosmtpd on loopback, "
        f"{url.split(':')[0]}: {handled / wall:,.0f} mails/s wall, "
        f"{cpu / handled * 1000:.2f} ms CPU per mail (render, CSS inlining, checks, SMTP)"
        + (" [under cProfile]" if profile else "")
        + f"; load average {os.getloadavg()[0]:.1f}"
    )
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def fill_outbox(engine: sa.Engine, rows: int) -> None:
    """`rows` scheduled mails spread over the next 90 days, 1% of them due already."""
    with engine.begin() as conn:
        stamp = time_param(conn)
        compiled = email_outbox.insert().compile(
            dialect=conn.dialect,
            column_keys=["enrolment_key", "step", "customer_id", "due_at", "state", "attempts"],
        )
        names = compiled.positiontup
        chunk = 100_000
        for start in range(0, rows, chunk):
            batch = []
            for i in range(start, min(rows, start + chunk)):
                due = (
                    NOW - timedelta(minutes=i % 97)
                    if i % 100 == 0
                    else (NOW + timedelta(seconds=(i * 7919) % (90 * 86400)))
                )
                row = {
                    "enrolment_key": f"bench|c{i}|k",
                    "step": 1,
                    "customer_id": f"c{i}",
                    "due_at": stamp(due),
                    "state": "due",
                    "attempts": 0,
                }
                batch.append(row if names is None else tuple(row[n] for n in names))
            conn.exec_driver_sql(compiled.string, batch)


def bench_pick_next(url: str, rows: int) -> None:
    engine = build_engine(url)
    fill_outbox(engine, rows)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(sa.text("ANALYZE email_outbox"))
    store = SqlEmailStore(engine)
    store.claim(NOW, 1, timedelta(minutes=10))  # warm up
    timings = []
    for _ in range(300):
        start = time.perf_counter()
        claimed = store.claim(NOW, 1, timedelta(minutes=10))
        timings.append((time.perf_counter() - start) * 1000)
        assert len(claimed) == 1
    timings.sort()
    print(
        f"pick-next: claim of the next due mail among {rows:,} outbox rows: "
        f"p50 {statistics.median(timings):.2f} ms, p99 {timings[int(len(timings) * 0.99)]:.2f} ms "
        f"(claim transaction: lease expiry sweep, select, update, read back)"
    )
    engine.dispose()


def bench_enrol(url: str, folder: Path, count: int) -> None:
    settings = Settings.from_env(
        {},
        environment="test",
        data_dir=folder,
        database_url=url,
        secret_key="sk_bench_0123456789abcdef",
        publishable_key="pk_bench_0123456789abcdef",
        smtp_url=f"file:{folder / 'mails'}",
    )
    container = build_container(settings)
    container.sequences.load_text(SEQUENCE, "bench.yaml", NOW)
    seed_buyers(container.engine, count, NOW - timedelta(hours=2))
    wall, cpu = time.perf_counter(), time.process_time()
    enrolled = container.email.enrol(NOW)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    again = time.perf_counter()
    repeat = container.email.enrol(NOW)
    again = time.perf_counter() - again
    container.close()
    print(
        f"enrol: {enrolled:,} customers enrolled (first mails scheduled) in {wall:.2f} s wall, "
        f"{cpu:.2f} s CPU; the next scan finds {repeat} new in {again:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=2000)
    parser.add_argument("--outbox-rows", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--workers", type=int, default=0, help="worker processes (0: one, in this process)"
    )
    parser.add_argument("--parts", default="send,pick,enrol", help="which parts to run")
    parser.add_argument(
        "--profile", action="store_true", help="send: cProfile the worker (CPU time), top 30"
    )
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if "send" in parts:
            url = fresh_database(args.database_url, folder)
            bench_sending(url, folder, args.mails, args.workers, args.profile)
        if "pick" in parts:
            bench_pick_next(fresh_database(args.database_url, folder), args.outbox_rows)
        if "enrol" in parts:
            bench_enrol(fresh_database(args.database_url, folder), folder, args.customers)


if __name__ == "__main__":
    main()
