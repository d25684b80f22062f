"""Sets a copy of the report bench store up as the worker leaves it at a time of day, so that
`tactful report` can be timed late (or early) in a day with a whole day of traffic behind it.

Run: .venv/bin/python bench/report_at.py --db-dir COPY [--database-url URL]
         --at 2026-12-06T23:50 [--hours]
     FAKETIME='2026-12-06 23:50:00' FAKETIME_DONT_FAKE_MONOTONIC=1 \
     LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 \
     .venv/bin/python bench/cli_startup.py --db-dir COPY [--database-url URL]
The store bench/report_speed.py builds ends at the hour it was built; the day before it holds
a whole day of simulated traffic. This drops the rollups of that day and later (the nightly
job had not built them yet at --at) and, with --hours, rolls up the day's hours that passed
before --at, as the worker's hourly run would have (`RollupService.roll_hours`; it migrates
the copy first). `tactful report` then runs at --at under faketime (Debian's `faketime`, the
clock frozen there): its default span ends at --at. Work on a copy (the sqlite3 backup API;
`CREATE DATABASE ... TEMPLATE` on PostgreSQL), never on a store another run uses.
"""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, update

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.tables_measurement import (
    rollup_activity,
    rollup_exposures,
    rollup_offer_stats,
    rollup_offers,
    rollup_range,
)
from tactful.container import build_container
from tactful.settings import Settings
from tactful.standalone import migrate


def cut_rollups(url: str, day: datetime) -> None:
    """The rollups as the nightly job left them on `day`: whole days before it only."""
    engine = build_engine(url)
    try:
        with engine.begin() as connection:
            for table in (rollup_exposures, rollup_offers, rollup_activity, rollup_offer_stats):
                connection.execute(delete(table).where(table.c.day >= day.date()))
            connection.execute(update(rollup_range).values(end_day=day.date()))
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-dir", type=Path, required=True)
    parser.add_argument("--at", type=datetime.fromisoformat, required=True, help="UTC time")
    parser.add_argument("--database-url", help="a PostgreSQL copy instead of --db-dir's SQLite")
    parser.add_argument("--hours", action="store_true", help="roll up the day's passed hours")
    args = parser.parse_args()
    at = args.at.replace(tzinfo=UTC)
    url = args.database_url or f"sqlite:///{args.db_dir / 'tactful.db'}"
    cut_rollups(url, at)
    print(f"rollups: whole days up to {at.date()}")
    if not args.hours:
        return
    env = {**os.environ, "TACTFUL_DATA_DIR": str(args.db_dir), "TACTFUL_DATABASE_URL": url}
    settings = Settings.from_env(env)
    migrate(settings)
    container = build_container(settings)
    try:
        container.rollups.roll_hours(at)
        print(f"rollups: the day's hours up to {container.rollups.rollups.rolled_until()}")
    finally:
        container.close()


if __name__ == "__main__":
    main()
