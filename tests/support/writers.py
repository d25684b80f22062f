"""Whether another connection is inside a write transaction right now, on SQLite or PostgreSQL.

The crash tests kill a process exactly while it writes, instead of guessing a delay.
"""

from __future__ import annotations

import random
import time

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

PG_WRITERS = sa.text(
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
    " AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
)


def writer_busy(engine: sa.Engine) -> bool:
    """True while some other connection holds an open transaction that has written."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            return bool(connection.execute(PG_WRITERS).scalar_one())
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA busy_timeout = 0")  # type: ignore[union-attr]
        try:
            raw.driver_connection.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]
        except Exception as error:  # sqlite3.OperationalError: database is locked
            return "locked" in str(error)
        raw.driver_connection.execute("ROLLBACK")  # type: ignore[union-attr]
        return False
    finally:
        raw.close()


def wait_for_writer(engine: sa.Engine, timeout: float, *, busy: bool = True) -> bool:
    """Wait until a writer is (or, with busy=False, is no longer) mid-transaction."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if writer_busy(engine) is busy:
                return True
        except OperationalError:
            pass
        time.sleep(0.005)
    return False


def a_moment(rng: random.Random, most: float = 0.15) -> None:
    """Sleep a random short while, so kills land at different points of a transaction."""
    time.sleep(rng.uniform(0, most))
