"""`tactful.services.ports.OrderStore` in memory."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tactful.domain.counts import InsertCounts
from tactful.domain.orders import Order

if TYPE_CHECKING:
    from tactful.adapters.memory.database import MemoryState


@dataclass
class OrderData:
    """What the orders store holds."""

    orders: dict[str, Order] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)


class MemoryOrderStore:
    """`tactful.services.ports.OrderStore` over a memory transaction's working state."""

    def __init__(self, state: MemoryState) -> None:
        self.state = state

    def insert_orders(self, orders_: Sequence[Order], *, source: str) -> InsertCounts:
        stored = self.state.orders
        batch = list({o.order_id: o for o in reversed(orders_)}.values())
        new = [o for o in batch if o.order_id not in stored.orders]
        for order in new:
            stored.orders[order.order_id] = order
            stored.sources[order.order_id] = source
        return InsertCounts(len(new), len(orders_) - len(new), sum(len(o.lines) for o in new))

    def get_orders(self, order_ids: Sequence[str]) -> dict[str, Order]:
        stored = self.state.orders.orders
        return {order_id: stored[order_id] for order_id in order_ids if order_id in stored}

    def count_rows(self) -> dict[str, int]:
        state = self.state
        orders = state.orders.orders.values()
        return {
            "products": len(state.catalog.products),
            "price_history": len(state.catalog.price_points),
            "bundles": 0,
            "bundle_items": 0,
            "customers": len(state.customers.customers),
            "consents": 0,
            "orders": len(orders),
            "order_lines": sum(len(order.lines) for order in orders),
            "events": len(state.events.events),
            "imports": len(state.imports.log),
        }

    def best_selling_sku(self) -> str | None:
        lines = Counter(line.sku for o in self.state.orders.orders.values() for line in o.lines)
        ranked = sorted(lines.items(), key=lambda item: (-item[1], item[0]))
        return ranked[0][0] if ranked else None

    def frequent_customers(self, limit: int) -> list[str]:
        counts = Counter(o.customer_id for o in self.state.orders.orders.values() if o.customer_id)
        return [customer for customer, _ in counts.most_common(limit)]
