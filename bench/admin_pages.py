"""Benchmark: each /admin page rendered over real HTTP from SQLite (or PostgreSQL), signed in.

Run: .venv/bin/python bench/admin_pages.py [--decisions 3000] [--requests 30] [--database-url URL]
     .venv/bin/python bench/admin_pages.py --db-dir DIR [--database-url URL]  (issue scale)
Targets (issue 22, at 1,000,000 decisions): page p50 < 150 ms, overview < 300 ms.
By default the store is synthetic (tests/support/dashboard_seed.py): decisions over 28 days,
a 10% holdout, one offer per treated decision, answers, orders and refunds. With --db-dir it
is the database `bench/report_speed.py` prepared there (the full Online Retail history and
about 1,000,000 simulated decisions with outcomes); the daily rollups are rebuilt first, as
the nightly job would, and today's passed hours rolled up, as the worker's hourly run would.
Either way the pages' stored figures are then computed as the worker would (with --no-stored
they are dropped instead, and first views compute from the logs).
CPU per request (server thread and client) is printed too. Figures are kept in memory for a
minute (the lifetime-value fit for 10), so the first request is shown apart from the p50 and
p95 of the rest.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select, text
from tests.conftest import LiveServer, truncate_all
from tests.support.dashboard_seed import seed_store

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.schema import upgrade
from tactful.adapters.db.tables_offers import decisions
from tactful.container import build_container
from tactful.services.dashboard_refresh import DashboardRefresh
from tactful.settings import Settings
from tactful.web.app import create_app

SECRET = "sk_bench_0123456789abcdef"
PAGES = {
    "overview": "/admin",
    "overview 7 days": "/admin?days=7",
    "offers": "/admin/offers",
    "experiments": "/admin/experiments",
    "customers": "/admin/customers",
    "backtests": "/admin/backtests",
    "decisions": "/admin/decisions",
    "decision": "/admin/decisions/dec_0000001",
    "overview CSV": "/admin/csv/overview/daily.csv",
}


def _sign_in(client: httpx.Client) -> None:
    form = client.get("/admin/login").text
    token = re.search(r'name="csrf" value="([^"]+)"', form)
    assert token is not None
    answer = client.post("/admin/login", data={"password": SECRET, "csrf": token.group(1)})
    assert answer.status_code == 303, answer.text


def _synthetic(args: argparse.Namespace) -> tuple[Settings, str]:
    folder = Path(tempfile.mkdtemp(prefix="tactful-admin-bench-"))
    url = args.database_url or f"sqlite:///{(folder / 'tactful.db').as_posix()}"
    engine = build_engine(url)
    upgrade(engine)
    if args.database_url:
        truncate_all(engine)
    started = time.perf_counter()
    seed_store(engine, decisions_count=args.decisions)
    print(
        f"{engine.dialect.name}: seeded {args.decisions:,} decisions in "
        f"{time.perf_counter() - started:.1f} s"
    )
    engine.dispose()
    return _settings(folder, url), "dec_0000001"


def _prepared(args: argparse.Namespace) -> tuple[Settings, str]:
    """The database report_speed.py prepared, its rollups rebuilt as the nightly job does and
    today's passed hours rolled up as the worker's hourly run does."""
    url = args.database_url or f"sqlite:///{(args.db_dir / 'tactful.db').as_posix()}"
    settings = _settings(args.db_dir, url)
    container = build_container(settings)
    try:
        upgrade(container.engine)
        with container.engine.connect() as connection:
            newest = connection.execute(
                select(decisions.c.decision_id).order_by(decisions.c.at.desc()).limit(1)
            ).scalar_one()
        if container.engine.dialect.name == "postgresql":
            with container.engine.begin() as connection:
                connection.execute(text("ANALYZE"))  # a bulk-loaded store has no statistics
        wall, cpu = time.perf_counter(), time.process_time()
        built = container.rollups.rebuild()
        hours = container.rollups.roll_hours(container.clock.now())
        print(
            f"{container.engine.dialect.name}: rollups of {built['days']} days rebuilt "
            f"(today's hours {'rolled' if hours else 'none to roll'}) in "
            f"{time.perf_counter() - wall:.1f} s wall, {time.process_time() - cpu:.1f} s CPU"
        )
    finally:
        container.close()
    return settings, newest


def _store_figures(settings: Settings, compute: bool) -> None:
    """Drop the stored figures, then (unless not to `compute`) recompute them as the worker
    does: what a first view reads."""
    container = build_container(settings)
    try:
        stored = container.dashboard.cache.stored
        assert stored is not None
        stored.forget_before(container.clock.now() + timedelta(days=1))
        if not compute:
            return
        wall, cpu = time.perf_counter(), time.process_time()
        done = DashboardRefresh(container.dashboard).run_due(container.clock.now())
        print(
            f"{container.engine.dialect.name}: {done} stored figures computed in "
            f"{time.perf_counter() - wall:.1f} s wall, {time.process_time() - cpu:.1f} s CPU"
        )
    finally:
        container.close()


def _settings(folder: Path, url: str) -> Settings:
    return Settings.from_env(
        {},
        environment="test",
        data_dir=folder,
        database_url=url,
        secret_key=SECRET,
        holdout_share=0.1,
        access_log=False,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--db-dir", type=Path, help="a database report_speed.py prepared")
    parser.add_argument(
        "--no-stored",
        action="store_true",
        help="drop the stored figures, so first views compute from the logs",
    )
    args = parser.parse_args()
    settings, decision_id = _prepared(args) if args.db_dir else _synthetic(args)
    _store_figures(settings, compute=not args.no_stored)
    pages = {**PAGES, "decision": f"/admin/decisions/{decision_id}"}
    with (
        LiveServer(create_app(settings)) as server,
        httpx.Client(base_url=server.url, timeout=300) as client,
    ):
        _sign_in(client)
        print(f"{'page':<18} {'first ms':>9} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>7} {'KB':>7}")
        for name, path in pages.items():
            _measure(client, name, path, args.requests)


def _measure(client: httpx.Client, name: str, path: str, requests: int) -> None:
    """First (cold) request, then p50/p95 of the repeats; CPU is this process's (the server
    runs in a thread of it), per request over the repeats."""
    times, size = [], 0
    cpu = 0.0
    for attempt in range(requests + 1):
        begin, began_cpu = time.perf_counter(), time.process_time()
        answer = client.get(path)
        times.append((time.perf_counter() - begin) * 1000)
        if attempt:
            cpu += time.process_time() - began_cpu
        assert answer.status_code == 200, (path, answer.status_code)
        size = len(answer.content)
    first, rest = times[0], sorted(times[1:])
    p95 = rest[min(int(len(rest) * 0.95), len(rest) - 1)]
    print(
        f"{name:<18} {first:9.1f} {statistics.median(rest):8.1f} {p95:8.1f} "
        f"{cpu / max(requests, 1) * 1000:7.1f} {size / 1024:7.1f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
