"""Import the full UCI Online Retail file twice and print speed, memory and row counts.

Usage: python bench/import_online_retail.py [DATABASE_URL] [FILE]
(default: a fresh SQLite file under bench/out/ and ../shared/data/online_retail/online_retail.csv)
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.repositories.orders import count_rows
from tactful.adapters.db.schema import all_metadata, upgrade
from tactful.adapters.db.transaction import SqlDatabase
from tactful.adapters.importers import FileReaders
from tactful.services.importing import import_file

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILE = ROOT.parent / "shared" / "data" / "online_retail" / "online_retail.csv"


def main() -> None:
    """Run the benchmark."""
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{out / 'import_bench.db'}"
    path = Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_FILE
    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    engine = build_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        for table in reversed(all_metadata().sorted_tables):
            conn.execute(table.delete())
    print(f"database: {engine.url.render_as_string(hide_password=True)}  file: {path}")
    for run in ("first import", "re-import"):
        started, cpu = time.perf_counter(), time.process_time()
        summary = import_file(SqlDatabase(engine), FileReaders(), path, "online-retail")
        wall = time.perf_counter() - started
        print(
            f"{run}: {summary.lines_read:,} lines in {wall:.2f} s wall "
            f"({time.process_time() - cpu:.2f} s CPU) = {summary.lines_read / wall:,.0f} lines/s"
        )
        print(
            f"  imported {summary.lines_imported:,} + skipped {summary.lines_skipped:,} "
            f"{summary.skipped}; orders new {summary.orders_new:,} / present "
            f"{summary.orders_existing:,}; lines new {summary.lines_new:,}; products new "
            f"{summary.products_new:,}; customers new {summary.customers_new:,}; "
            f"price changes new {summary.price_points_new:,}"
        )
        with engine.connect() as conn:
            print(f"  rows: {count_rows(conn)}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB")
    engine.dispose()


if __name__ == "__main__":
    main()
