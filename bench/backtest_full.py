"""`tactful backtest` over the full Online Retail history: two policies, monthly re-mined models.

Run: .venv/bin/python bench/backtest_full.py [--db-dir DIR] [--database-url URL]
Without --database-url, a SQLite database in --db-dir (default: a temporary folder) gets the full
Online Retail file through `tactful import` (about a minute; kept in --db-dir for the next run).
Then the service replays every order from 2010-12-01 to 2011-12-10 under the engine's default
policy and a one-offer policy, timing the whole run (history read, 12 mined models, replay).
Target: under 2 minutes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tactful.container import build_container
from tactful.domain.backtest.policy_file import BacktestPolicy
from tactful.domain.offers import OfferPolicy
from tactful.services.backtest import run_backtest
from tactful.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "online_retail" / "online_retail.csv"
if not DATA.is_file():
    DATA = Path("/work/shared/data/online_retail/online_retail.csv")
START = datetime(2010, 12, 1, tzinfo=UTC)
END = datetime(2011, 12, 10, tzinfo=UTC)
POLICIES = (
    BacktestPolicy("default", OfferPolicy()),
    BacktestPolicy("one-offer", OfferPolicy(max_offers=1, budget=3, cooldown=timedelta(days=21))),
)


def prepare_sqlite(db_dir: Path) -> str:
    """The full file imported into DB_DIR/tactful.db (once), through the real CLI."""
    db_dir.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{db_dir / 'tactful.db'}"
    if not (db_dir / "tactful.db").exists():
        env = {
            "TACTFUL_DATA_DIR": str(db_dir),
            "TACTFUL_DATABASE_URL": url,
            "PYTHONPATH": str(ROOT / "src"),
        }
        command = [
            sys.executable,
            "-m",
            "tactful",
            "import",
            str(DATA),
            "--format",
            "online-retail",
        ]
        began = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        print(f"imported {DATA.name} in {time.perf_counter() - began:.0f} s")
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db-dir", type=Path, default=None)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    db_dir = args.db_dir or Path(tempfile.mkdtemp(prefix="tactful-backtest-"))
    url = args.database_url or prepare_sqlite(db_dir)
    settings = Settings.from_env({}, environment="test", data_dir=db_dir, database_url=url)
    container = build_container(settings)
    try:
        began, cpu = time.perf_counter(), time.process_time()
        report = run_backtest(
            container.history, container.decisions.catalog, POLICIES, start=START, end=END
        )
        seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - cpu
    finally:
        container.close()
    print(
        f"{report.orders_replayed:,} orders replayed ({report.guest_orders:,} guest orders "
        f"skipped), {report.models_mined} models mined, {len(POLICIES)} policies: "
        f"{seconds:.1f} s wall, {cpu_seconds:.1f} s CPU (target < 120 s); load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    for summary in report.policies:
        rate = summary.bought_anyway_rate
        print(
            f"  {summary.name}: {summary.decisions:,} decisions, {summary.offers:,} offers, "
            f"bought anyway {'n/a' if rate is None else f'{rate:.1%}'}, offers per customer-week "
            f"mean {summary.weekly.mean:.2f} / max {summary.weekly.max}"
        )
    for comparison in report.comparisons:
        print(
            f"  {comparison.first} vs {comparison.second}: same top offer "
            f"{comparison.top_agreement or 0:.1%} of {comparison.decisions:,} decisions"
        )


if __name__ == "__main__":
    main()
