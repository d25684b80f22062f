"""`tactful report` at the issue's scale: the full Online Retail history and about 1,000,000
simulated decisions with their outcomes, on SQLite (or --database-url).

Run: .venv/bin/python bench/report_speed.py [--db-dir DIR] [--database-url URL]
     [--decisions 1000000] [--repeat 3]
The database in --db-dir is kept for the next run (import about a minute, simulation several).
Prints CPU and wall seconds of the overview and of the offers report. Target: report < 2 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from tactful.adapters.db.measurement_reads import SqlMeasurementReads
from tactful.adapters.db.tables_offers import decisions
from tactful.container import build_container
from tactful.services.reports import ReportService
from tactful.services.simulation import SimulationRequest
from tactful.settings import Settings
from tactful.standalone import migrate

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "online_retail" / "online_retail.csv"
if not DATA.is_file():
    DATA = Path("/work/shared/data/online_retail/online_retail.csv")
DAYS = 28


def prepare(db_dir: Path, url: str | None) -> Settings:
    """Settings on the database, the Online Retail file imported into it once."""
    db_dir.mkdir(parents=True, exist_ok=True)
    url = url or f"sqlite:///{db_dir / 'tactful.db'}"
    env = {**os.environ, "TACTFUL_DATA_DIR": str(db_dir), "TACTFUL_DATABASE_URL": url}
    marker = db_dir / "imported"
    if not marker.exists():
        began = time.perf_counter()
        command = [
            sys.executable,
            "-m",
            "tactful",
            "import",
            str(DATA),
            "--format",
            "online-retail",
        ]
        subprocess.run(command, env=env, check=True, capture_output=True)
        marker.touch()
        print(f"imported Online Retail in {time.perf_counter() - began:.0f} s")
    return Settings.from_env(env)


def fill(settings: Settings, target: int) -> int:
    """Simulated traffic up to about `target` decisions (seed 1, every stored customer)."""
    container = build_container(settings)
    try:
        with container.engine.connect() as connection:
            count = connection.execute(select(func.count()).select_from(decisions)).scalar_one()
        if count < target // 2:
            customers = len(container.history.order_history().customer_ids)
            visits = max(target / (customers * DAYS) - 1 / DAYS, 0.0)
            began = time.perf_counter()
            done = container.simulation.run(
                SimulationRequest(DAYS, customers, 0.05, 1, visits_per_day=visits)
            )
            count = done["decisions"]
            print(
                f"simulated {count:,} decisions for {customers:,} customers "
                f"in {time.perf_counter() - began:.0f} s"
            )
        return int(count)
    finally:
        container.close()


def timed(label: str, call: object, repeat: int) -> None:
    runs = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        call()  # type: ignore[operator]
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    best = min(runs)
    listed = ", ".join(f"{w:.2f}" for w, _ in runs)
    print(f"{label}: wall {best[0]:.2f} s, CPU {best[1]:.2f} s (best of {repeat}; walls {listed})")


def measure(settings: Settings, repeat: int) -> None:
    """The overview and offers reports from the raw log, then from the daily rollups."""
    container = build_container(settings)
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        built = container.rollups.rebuild(since=container.clock.now().date() - timedelta(days=40))
        print(
            f"rollups of {built['days']} days rebuilt: wall {time.perf_counter() - wall:.1f} s, "
            f"CPU {time.process_time() - cpu:.1f} s"
        )
        raw = ReportService(
            SqlMeasurementReads(container.engine),
            container.clock,
            holdout_share=settings.holdout_share,
            attribution=container.reports.attribution,
        )
        for label, service in (("raw log", raw), ("rollups", container.reports)):
            timed(f"{label} overview", service.overview, repeat)
            timed(f"{label} offers", service.offers, repeat)
        span = container.reports.span()
        same = raw.overview(since=span.since, until=span.until) == container.reports.overview(
            since=span.since, until=span.until
        )
        print(f"rollups and raw log give identical overviews: {same}")
    finally:
        container.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db-dir", type=Path, default=Path(tempfile.gettempdir()) / "tactful-report-bench"
    )
    parser.add_argument("--database-url")
    parser.add_argument("--decisions", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    settings = prepare(args.db_dir, args.database_url)
    migrate(settings)
    count = fill(settings, args.decisions)
    print(f"{count:,} decisions stored; load {os.getloadavg()[0]:.1f}")
    measure(settings, args.repeat)


if __name__ == "__main__":
    main()
