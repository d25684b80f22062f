"""Storage of orders and their lines, baskets for mining."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from tactful.domain.counts import InsertCounts
from tactful.domain.orders import Order


class OrderStore(Protocol):
    """Reads and writes orders and their lines, baskets for mining within one transaction.

    Each method has the name and parameters of the function it wraps in
    `tactful.adapters.db.repositories.orders`, less the leading connection.
    """

    def insert_orders(self, orders_: Sequence[Order], *, source: str) -> InsertCounts:
        """Store orders once by id: an order sent again (or twice in a batch) changes nothing."""
        ...

    def get_orders(self, order_ids: Sequence[str]) -> dict[str, Order]:
        """The stored orders among `order_ids`, by id."""
        ...

    def count_rows(self) -> dict[str, int]:
        """Rows per table of the foundation schema."""
        ...

    def best_selling_sku(self) -> str | None:
        """The SKU on the most order lines (ties by SKU), or None without orders."""
        ...

    def frequent_customers(self, limit: int) -> list[str]:
        """The customers with the most orders, most first (guests left out)."""
        ...
