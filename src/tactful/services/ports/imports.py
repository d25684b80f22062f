"""Storage of the log of file imports, and the readers of order export files."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from tactful.domain.imports import ImportOptions, Reader


class ImportLog(Protocol):
    """Reads and writes the log of file imports within one transaction.

    Each method has the name and parameters of the function it wraps in
    `tactful.adapters.db.repositories.imports`, less the leading connection.
    """

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
        """Log one finished import (in the import's own transaction)."""
        ...

    def recent_imports(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest imports, newest first."""
        ...

    def was_imported(self, sha256: str, fmt: str) -> bool:
        """Whether a file with this content was imported in this format before."""
        ...

    def prepare_bulk_write(self) -> None:
        """Tune this transaction for a large write (a no-op where nothing needs tuning)."""
        ...


class OrderFiles(Protocol):
    """The readers of order export files, one per format name."""

    def reader(self, fmt: str) -> Reader:
        """The reader of a format, or a ValueError listing the known ones."""
        ...

    def order_column(self, fmt: str, options: ImportOptions) -> str:
        """The column that holds a format's order id (named in errors)."""
        ...
