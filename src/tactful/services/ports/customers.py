"""Storage of customers and their consents."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol

from tactful.domain.counts import UpsertCounts
from tactful.domain.customers import Customer


class CustomerStore(Protocol):
    """Reads and writes customers and their consents within one transaction.

    Each method has the name and parameters of the function it wraps in
    `tactful.adapters.db.repositories.customers`, less the leading connection.
    """

    def upsert_customers(
        self,
        customers_: Sequence[Customer],
        *,
        at: datetime,
        update_fields: Collection[str] | None = None,
    ) -> UpsertCounts:
        """Create new customers and update changed ones (only `update_fields` of known ones)."""
        ...
