"""Storage of mined model versions and which one is active."""

from __future__ import annotations

from typing import Protocol


class ModelStore(Protocol):
    """Reads and writes mined model versions and which one is active within one transaction.

    Each method has the name and parameters of the function it wraps in
    `tactful.adapters.db.repositories.models`, less the leading connection.
    """
