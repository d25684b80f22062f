"""Benchmark: each /admin page rendered over real HTTP from SQLite (or PostgreSQL), signed in.

Run: .venv/bin/python bench/admin_pages.py [--decisions 3000] [--requests 30] [--database-url URL]
Targets (issue 22, at 1,000,000 decisions): page p50 < 150 ms, overview < 300 ms.
The store is synthetic (tests/support/dashboard_seed.py): decisions over 28 days, a 10%
holdout, one offer per treated decision, answers, orders and refunds. The customers page's
lifetime-value fit is kept for 10 minutes and the overview and offers figures for one
minute, so the first (cold) request is shown apart from the p50 and p95 of the rest.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import LiveServer, truncate_all
from tests.support.dashboard_seed import seed_store

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.schema import upgrade
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
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
    settings = Settings.from_env(
        {},
        environment="test",
        data_dir=folder,
        database_url=url,
        secret_key=SECRET,
        holdout_share=0.1,
        access_log=False,
    )
    with (
        LiveServer(create_app(settings, engine=engine)) as server,
        httpx.Client(base_url=server.url, timeout=300) as client,
    ):
        _sign_in(client)
        print(f"{'page':<18} {'first ms':>9} {'p50 ms':>8} {'p95 ms':>8} {'KB':>7}")
        for name, path in PAGES.items():
            times, size = [], 0
            for _ in range(args.requests + 1):
                begin = time.perf_counter()
                answer = client.get(path)
                times.append((time.perf_counter() - begin) * 1000)
                assert answer.status_code == 200, (path, answer.status_code)
                size = len(answer.content)
            first, rest = times[0], sorted(times[1:])
            p95 = rest[min(int(len(rest) * 0.95), len(rest) - 1)]
            print(
                f"{name:<18} {first:9.1f} {statistics.median(rest):8.1f} {p95:8.1f} "
                f"{size / 1024:7.1f}"
            )
    engine.dispose()


if __name__ == "__main__":
    main()
