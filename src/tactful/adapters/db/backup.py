"""Online backups of the embedded SQLite database, taken while the server keeps writing."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from tactful.adapters.db.engine import is_sqlite


class BackupUnsupportedError(ValueError):
    """The database is not SQLite: PostgreSQL is backed up with its own tools (pg_dump)."""


@dataclass(frozen=True, slots=True)
class BackupResult:
    """Where the copy went, how large it is, and SQLite's own integrity verdict on it."""

    path: Path
    size_bytes: int
    integrity: str


def backup_sqlite(engine: Engine, target: Path, *, pages_per_step: int = 1024) -> BackupResult:
    """Copy the live SQLite database to `target` with SQLite's online backup API.

    The copy is one consistent snapshot even while other connections write: the backup API
    restarts a step whenever the source changes under it. It goes to a temporary file that is
    renamed into place only once complete and checked, so a crash never leaves half a backup.
    """
    if not is_sqlite(engine):
        raise BackupUnsupportedError(
            f"{engine.dialect.name} databases are backed up with their own tools "
            "(PostgreSQL: pg_dump --format=custom); `tactful db backup` copies SQLite only"
        )
    source_path = engine.url.database
    if not source_path or source_path == ":memory:":
        raise BackupUnsupportedError("an in-memory SQLite database has no file to back up")
    target = target.resolve()
    if target == Path(source_path).resolve():
        raise ValueError(f"the backup target {target} is the live database itself")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(source_path, timeout=30)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy, pages=pages_per_step)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            integrity = str(copy.execute("PRAGMA integrity_check").fetchone()[0])
        finally:
            copy.close()
    finally:
        source.close()
    if integrity != "ok":
        raise RuntimeError(f"the backup failed SQLite's integrity check: {integrity}")
    partial.replace(target)
    return BackupResult(path=target, size_bytes=target.stat().st_size, integrity=integrity)
