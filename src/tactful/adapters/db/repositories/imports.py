"""The import log: which file was imported when, with its summary (an audit trail)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, text

from tactful.adapters.db.tables import imports


def record_import(
    conn: Connection,
    *,
    import_id: str,
    path: str,
    fmt: str,
    sha256: str,
    started_at: datetime,
    finished_at: datetime,
    summary: dict[str, Any],
) -> None:
    """Log one finished import (in the import's own transaction)."""
    conn.execute(
        imports.insert().values(
            import_id=import_id,
            path=path,
            format=fmt,
            sha256=sha256,
            started_at=started_at,
            finished_at=finished_at,
            summary=summary,
        )
    )


def recent_imports(conn: Connection, limit: int = 20) -> list[dict[str, Any]]:
    """The latest imports, newest first."""
    query = select(imports).order_by(imports.c.started_at.desc()).limit(limit)
    return [dict(row._mapping) for row in conn.execute(query)]


def was_imported(conn: Connection, sha256: str, fmt: str) -> bool:
    """Whether a file with this content was imported in this format before."""
    query = select(imports.c.import_id).where(imports.c.sha256 == sha256, imports.c.format == fmt)
    return conn.execute(query.limit(1)).first() is not None


def prepare_bulk_write(conn: Connection) -> None:
    """SQLite: a big page cache and in-memory temp tables for a bulk write."""
    if conn.dialect.name == "sqlite":
        conn.execute(text("PRAGMA cache_size=-131072"))
        conn.execute(text("PRAGMA temp_store=MEMORY"))


class SqlImportLog:
    """`tactful.services.ports.ImportLog` on one SQLAlchemy connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def record_import(
        self,
        *,
        import_id: str,
        path: str,
        fmt: str,
        sha256: str,
        started_at: datetime,
        finished_at: datetime,
        summary: dict[str, Any],
    ) -> None:
        record_import(
            self.connection,
            import_id=import_id,
            path=path,
            fmt=fmt,
            sha256=sha256,
            started_at=started_at,
            finished_at=finished_at,
            summary=summary,
        )

    def recent_imports(self, limit: int = 20) -> list[dict[str, Any]]:
        return recent_imports(self.connection, limit)

    def was_imported(self, sha256: str, fmt: str) -> bool:
        return was_imported(self.connection, sha256, fmt)

    def prepare_bulk_write(self) -> None:
        prepare_bulk_write(self.connection)
