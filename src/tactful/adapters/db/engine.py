"""Engine construction: SQLite in WAL mode by default, PostgreSQL by URL."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import ConnectionPoolEntry

MAPPED_BYTES = 1 << 30
"""How much of a SQLite file a read-mostly engine maps into memory (`PRAGMA mmap_size`)."""


def _sqlite_pragmas(
    dbapi_connection: Any, _record: ConnectionPoolEntry, *, mapped_bytes: int = 0
) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    if mapped_bytes:
        cursor.execute(f"PRAGMA mmap_size={int(mapped_bytes)}")
    cursor.close()


def build_engine(url: str, *, read_mostly: bool = False, **kwargs: Any) -> Engine:
    """Create an engine for `url`; for SQLite the folder is created and WAL switched on.

    `read_mostly` (reports over a large SQLite file) maps the file into memory: SQLite then
    reads its pages straight from the page cache, without a read() call and a copy for each
    of the many thousand pages a report touches (`tactful report` on the 1M-decision store:
    system time about 0.35 -> 0.2 s).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)
        mapped = MAPPED_BYTES if read_mostly else 0
        event.listen(engine, "connect", partial(_sqlite_pragmas, mapped_bytes=mapped))
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_engine(url, **kwargs)


def is_sqlite(engine: Engine) -> bool:
    """Whether `engine` talks to SQLite."""
    return engine.dialect.name == "sqlite"
