"""`tactful db backup` copies the live SQLite database consistently while writes go on."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from tactful.adapters.db.backup import BackupUnsupportedError, backup_sqlite
from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.schema import upgrade
from tactful.cli import app


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.as_posix()}"


def test_backup_under_write_load_opens_and_is_consistent(tmp_path: Path) -> None:
    engine = build_engine(_sqlite_url(tmp_path / "live.db"))
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE ledger (id INTEGER PRIMARY KEY, a INT, b INT)"))
    stop = threading.Event()
    written = [0]

    def write_pairs() -> None:  # every transaction writes +n and -n: the sum is always 0
        while not stop.is_set():
            with engine.begin() as connection:
                connection.execute(text("INSERT INTO ledger (a, b) VALUES (7, -7)"))
                connection.execute(text("INSERT INTO ledger (a, b) VALUES (-3, 3)"))
            written[0] += 1

    writer = threading.Thread(target=write_pairs)
    writer.start()
    try:
        while written[0] < 50:
            stop.wait(0.01)
        result = backup_sqlite(engine, tmp_path / "copy.db", pages_per_step=1)
    finally:
        stop.set()
        writer.join()
        engine.dispose()
    assert result.integrity == "ok"
    copy = sqlite3.connect(result.path)
    try:
        rows, total = copy.execute("SELECT count(*), sum(a + b) FROM ledger").fetchone()
        tables = {name for (name,) in copy.execute("SELECT name FROM sqlite_master")}
    finally:
        copy.close()
    assert rows > 0
    assert rows % 2 == 0
    assert total == 0
    assert {"orders", "products", "alembic_version"} <= tables
    assert not (tmp_path / "copy.db.partial").exists()


def test_backup_refuses_to_overwrite_the_live_file(tmp_path: Path) -> None:
    engine = build_engine(_sqlite_url(tmp_path / "live.db"))
    try:
        with pytest.raises(ValueError, match="is the live database itself"):
            backup_sqlite(engine, tmp_path / "live.db")
    finally:
        engine.dispose()


def test_backup_of_postgresql_points_to_pg_dump(postgres_url: str, tmp_path: Path) -> None:
    engine = build_engine(postgres_url)
    try:
        with pytest.raises(BackupUnsupportedError, match="pg_dump"):
            backup_sqlite(engine, tmp_path / "copy.db")
    finally:
        engine.dispose()


def test_cli_backup_writes_the_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TACTFUL_DATABASE_URL", _sqlite_url(tmp_path / "live.db"))
    engine = build_engine(_sqlite_url(tmp_path / "live.db"))
    upgrade(engine)
    engine.dispose()
    result = CliRunner().invoke(app, ["db", "backup", str(tmp_path / "b" / "copy.db")])
    assert result.exit_code == 0, result.output
    assert "integrity ok" in result.output
    assert (tmp_path / "b" / "copy.db").stat().st_size > 0
