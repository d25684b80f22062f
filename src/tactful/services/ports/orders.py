"""Storage of orders and their lines, baskets for mining."""

from __future__ import annotations

from typing import Protocol


class OrderStore(Protocol):
    """Reads and writes orders and their lines, baskets for mining within one transaction.

    Each method has the name and parameters of the function it wraps in
    `tactful.adapters.db.repositories.orders`, less the leading connection.
    """
