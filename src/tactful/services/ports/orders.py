"""Storage of orders and their lines, baskets for mining."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from tactful.domain.affinity.baskets import Baskets
from tactful.domain.counts import InsertCounts
from tactful.domain.orders import Order


class OrderStore(Protocol):
    """Reads and writes orders and their lines, baskets for mining within one transaction.

    Each method has the name and parameters of the function it wraps in
    `tactful.adapters.db.repositories.orders`, less the leading connection.
    """

    def existing_order_ids(self, order_ids: Sequence[str]) -> set[str]:
        """Which of `order_ids` are stored already."""
        ...

    def insert_orders(self, orders_: Sequence[Order], *, source: str) -> InsertCounts:
        """Store orders once by id: an order sent again (or twice in a batch) changes nothing."""
        ...

    def orders_of(self, customer_id: str, *, since: datetime | None = None) -> list[Order]:
        """The customer's orders, oldest first (optionally only those at or after `since`)."""
        ...

    def get_orders(self, order_ids: Sequence[str]) -> dict[str, Order]:
        """The stored orders among `order_ids`, by id."""
        ...

    def read_baskets(
        self, *, since: datetime | None = None, until: datetime | None = None
    ) -> Baskets:
        """Every order in [since, until) as one basket of distinct SKUs, oldest first."""
        ...

    def count_rows(self) -> dict[str, int]:
        """Row count of each foundation table (for summaries, the demo and tests)."""
        ...

    def best_selling_sku(self) -> str | None:
        """The SKU on the most order lines (ties by SKU), or None without orders."""
        ...

    def frequent_customers(self, limit: int) -> list[str]:
        """The customers with the most orders, most first (guests left out)."""
        ...
