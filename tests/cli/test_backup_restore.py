"""A backup taken while orders keep arriving restores to a consistent, usable database.

A writer thread stores orders of two lines each through tactful's own ingest, one
transaction per order, and notes every order acknowledged (ingest returned). Meanwhile the
real backup command runs as a separate process: `tactful db backup` on SQLite, `pg_dump
--format=custom` on PostgreSQL (what the README prescribes). The backup is then restored to a
new database, which must pass the database's integrity check, be at the newest migration
(`tactful db status`), hold every order acknowledged before the backup started, each with both
of its lines (no half-stored order), and answer tactful's own reads.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.schema import upgrade
from tactful.adapters.db.tables import order_lines, orders
from tactful.container import Container, build_container
from tactful.domain.catalog import Sku
from tactful.domain.customers import CustomerId
from tactful.domain.money import Money
from tactful.domain.orders import Order, OrderId, OrderLine
from tactful.settings import Settings
from tests.conftest import PG_ADMIN_URL
from tests.support.killable import tactful_environment

pytestmark = pytest.mark.slow
HEAD_WRITES = 100  # orders stored before the backup starts


class OrderWriter:
    """Stores two-line orders one transaction at a time until stopped; notes the acknowledged."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self.acknowledged: list[str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        n = 0
        while not self.stop.is_set():
            order_id = f"o{n:07d}"
            order = Order(
                OrderId(order_id),
                datetime.now(UTC),
                (
                    OrderLine(Sku("COURSE"), 1, Money(2900, "GBP")),
                    OrderLine(Sku("WORKBOOK"), 2, Money(900, "GBP")),
                ),
                CustomerId(f"c{n % 50}"),
            )
            self.container.ingest.orders([order])
            self.acknowledged.append(order_id)
            n += 1

    def __enter__(self) -> OrderWriter:
        self.thread.start()
        while len(self.acknowledged) < HEAD_WRITES:
            self.stop.wait(0.01)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        self.thread.join()


def _settings(url: str, data_dir: Path) -> Settings:
    return Settings.from_env(
        {},
        environment="test",
        data_dir=data_dir,
        database_url=url,
        secret_key="sk_test_secret_key_0123456789",
        publishable_key="pk_test_publishable_0123456789",
    )


def _backup_during_writes(url: str, tmp: Path, backup: Callable[[], None]) -> list[str]:
    """Run `backup` while orders arrive; the orders acknowledged before it started."""
    engine = build_engine(url)
    upgrade(engine)
    engine.dispose()
    container = build_container(_settings(url, tmp / "live"))
    try:
        with OrderWriter(container) as writer:
            before = list(writer.acknowledged)
            backup()
            during = len(writer.acknowledged) - len(before)
    finally:
        container.close()
    assert during > 0, "no order arrived while the backup ran: not a backup under load"
    return before


def _assert_restored(url: str, tmp: Path, acknowledged: list[str]) -> None:
    status = subprocess.run(
        [sys.executable, "-m", "tactful", "db", "status"],
        env=tactful_environment(url, tmp / "restored"),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    current, head = status.stdout.split()[1], status.stdout.split()[3]
    assert current == head, status.stdout
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            stored = set(connection.execute(sa.select(orders.c.order_id)).scalars())
            lines = dict(
                connection.execute(
                    sa.select(order_lines.c.order_id, sa.func.count()).group_by(
                        order_lines.c.order_id
                    )
                ).all()
            )
    finally:
        engine.dispose()
    assert set(acknowledged) <= stored, "an order acknowledged before the backup is missing"
    assert set(lines) == stored
    assert set(lines.values()) == {2}, "an order was restored without both of its lines"
    container = build_container(_settings(url, tmp / "restored"))
    try:
        with container.database.transaction() as tx:
            assert tx.orders.best_selling_sku() is not None
    finally:
        container.close()


def test_sqlite_backup_under_writes_restores_consistent(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    copy = tmp_path / "backups" / "copy.db"

    def backup() -> None:
        subprocess.run(
            [sys.executable, "-m", "tactful", "db", "backup", str(copy)],
            env=tactful_environment(f"sqlite:///{live}", tmp_path / "cli"),
            capture_output=True,
            timeout=300,
            check=True,
        )

    acknowledged = _backup_during_writes(f"sqlite:///{live}", tmp_path, backup)
    restored = tmp_path / "restored.db"
    shutil.copyfile(copy, restored)  # restoring a SQLite backup is putting the file in place
    check = sqlite3.connect(restored)
    try:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert check.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        check.close()
    _assert_restored(f"sqlite:///{restored}", tmp_path, acknowledged)


def _libpq(url: str) -> str:
    return sa.engine.make_url(url).set(drivername="postgresql").render_as_string(False)


@pytest.fixture
def two_databases(postgres_available: bool) -> Iterator[tuple[str, str]]:
    """A fresh live PostgreSQL database and an empty one to restore into; dropped afterwards."""
    if not postgres_available or shutil.which("pg_dump") is None:
        pytest.skip("PostgreSQL or pg_dump/pg_restore is not available")
    names = [f"tactful_backup_{uuid.uuid4().hex[:10]}_{role}" for role in ("live", "restored")]
    admin = build_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    base = sa.engine.make_url(PG_ADMIN_URL)
    urls = [base.set(database=n).render_as_string(hide_password=False) for n in names]
    yield urls[0], urls[1]
    with admin.connect() as connection:
        for name in names:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.postgres
def test_pg_dump_under_writes_restores_consistent(
    two_databases: tuple[str, str], tmp_path: Path
) -> None:
    live, restored = two_databases
    dump = tmp_path / "tactful.dump"

    def backup() -> None:
        command = ["pg_dump", "--format=custom", "-d", _libpq(live), "-f", str(dump)]
        subprocess.run(command, capture_output=True, timeout=300, check=True)

    acknowledged = _backup_during_writes(live, tmp_path, backup)
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "-d", _libpq(restored), str(dump)],
        capture_output=True,
        timeout=300,
        check=True,
    )
    _assert_restored(restored, tmp_path, acknowledged)
