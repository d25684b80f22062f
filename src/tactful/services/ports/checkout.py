"""Storage of hosted checkout pages, orders, idempotency keys and one-click offers."""

from __future__ import annotations

from typing import Protocol


class CheckoutStore(Protocol):
    """Reads and writes hosted checkout pages, orders, keys and offers in one transaction.

    Each method has the name and parameters of the function it wraps in
    `tactful.adapters.db.repositories.checkout`, less the leading connection.
    """
