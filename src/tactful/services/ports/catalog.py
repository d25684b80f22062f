"""Storage of products, their price history and bundles."""

from __future__ import annotations

from typing import Protocol


class CatalogStore(Protocol):
    """Reads and writes products, their price history and bundles within one transaction.

    Each method has the name and parameters of the function it wraps in
    `tactful.adapters.db.repositories.catalog`, less the leading connection.
    """
