"""Issue 25, crash 1: 100,000 events, kill -9 five times, count lost and duplicated events.

    .venv/bin/python scripts/crash_events.py [--events 100000] [--kills 5] [--only sqlite]

Runs the real `tactful serve` on a fresh SQLite file and on a fresh PostgreSQL database
(TACTFUL_TEST_POSTGRES_URL, default postgres@127.0.0.1:5432/test), sends events with random
ids and some repeats from four clients, and kills the server with SIGKILL five times during
the run; every batch not answered 202 is sent again. Prints one line per database; the
target is 0 lost and 0 duplicated.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.crash_events import run_events_crash
from tests.support.killable import KillableServer

PG_ADMIN_URL = os.environ.get(
    "TACTFUL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@contextmanager
def fresh_database(kind: str, folder: Path) -> Iterator[str]:
    """A new, empty database URL of `kind`; a PostgreSQL one is dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{(folder / 'tactful.db').as_posix()}"
        return
    name = f"tactful_crash_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    failed = False
    for kind in [args.only] if args.only else ["sqlite", "postgresql"]:
        with tempfile.TemporaryDirectory(prefix="tactful-crash-") as tmp:
            folder = Path(tmp)
            with fresh_database(kind, folder) as url, KillableServer(url, folder / "var") as server:
                report = run_events_crash(
                    server, url, events=args.events, kills=args.kills, batch_size=args.batch_size
                )
        print(report.line(), flush=True)
        failed |= bool(report.lost or report.duplicated or report.unexpected or report.errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
