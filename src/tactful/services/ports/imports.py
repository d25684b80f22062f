"""Storage of the log of file imports."""

from __future__ import annotations

from typing import Protocol


class ImportLog(Protocol):
    """Reads and writes the log of file imports within one transaction.

    Each method has the name and parameters of the function it wraps in
    `tactful.adapters.db.repositories.imports`, less the leading connection.
    """
