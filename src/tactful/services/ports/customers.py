"""Storage of customers and their consents."""

from __future__ import annotations

from typing import Protocol


class CustomerStore(Protocol):
    """Reads and writes customers and their consents within one transaction.

    Each method has the name and parameters of the function it wraps in
    `tactful.adapters.db.repositories.customers`, less the leading connection.
    """
