"""`tactful.services.ports.OrderStore` in memory."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np

from tactful.adapters.memory._common import utc
from tactful.domain.affinity.baskets import Baskets
from tactful.domain.counts import InsertCounts
from tactful.domain.orders import Order

if TYPE_CHECKING:
    from tactful.adapters.memory.database import MemoryState


@dataclass
class OrderData:
    """What the orders store holds: each order by id with the source that sent it."""

    orders: dict[str, Order] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)


def _oldest_first(order: Order) -> tuple[datetime, str]:
    return utc(order.created_at), order.order_id


class MemoryOrderStore:
    """`tactful.services.ports.OrderStore` over a memory transaction's working state."""

    def __init__(self, state: MemoryState) -> None:
        self.state = state
        self.data = state.orders

    def existing_order_ids(self, order_ids: Sequence[str]) -> set[str]:
        return {order_id for order_id in order_ids if order_id in self.data.orders}

    def insert_orders(self, orders_: Sequence[Order], *, source: str) -> InsertCounts:
        batch = list({o.order_id: o for o in reversed(orders_)}.values())
        new = [o for o in batch if o.order_id not in self.data.orders]
        for order in new:
            self.data.orders[order.order_id] = order
            self.data.sources[order.order_id] = source
        return InsertCounts(len(new), len(orders_) - len(new), sum(len(o.lines) for o in new))

    def orders_of(self, customer_id: str, *, since: datetime | None = None) -> list[Order]:
        found = [
            o
            for o in self.data.orders.values()
            if o.customer_id == customer_id and (since is None or utc(o.created_at) >= utc(since))
        ]
        return sorted(found, key=_oldest_first)

    def get_orders(self, order_ids: Sequence[str]) -> dict[str, Order]:
        orders = self.data.orders
        return {order_id: orders[order_id] for order_id in order_ids if order_id in orders}

    def read_baskets(
        self, *, since: datetime | None = None, until: datetime | None = None
    ) -> Baskets:
        chosen = sorted(
            (
                o
                for o in self.data.orders.values()
                if (since is None or utc(o.created_at) >= utc(since))
                and (until is None or utc(o.created_at) < utc(until))
            ),
            key=_oldest_first,
        )
        items = tuple(sorted({line.sku for o in chosen for line in o.lines}))
        base = Baskets.from_lists(([line.sku for line in o.lines] for o in chosen), items=items)
        codes: dict[str, int] = {}
        customers = [
            -1 if o.customer_id is None else codes.setdefault(o.customer_id, len(codes))
            for o in chosen
        ]
        products = self.state.catalog.products
        return Baskets(
            items=base.items,
            indptr=base.indptr,
            indices=base.indices,
            customers=np.asarray(customers, dtype=np.int64),
            times=np.array(
                [utc(o.created_at).replace(tzinfo=None) for o in chosen], dtype="datetime64[s]"
            ),
            prices=np.asarray(
                [products[s]["price"] if s in products else -1 for s in items], dtype=np.int64
            ),
        )

    def count_rows(self) -> dict[str, int]:
        """What each foundation table would hold; the memory import log counts none yet."""
        catalog, customers = self.state.catalog, self.state.customers
        return {
            "products": len(catalog.products),
            "price_history": len(catalog.price_points),
            "bundles": len(catalog.bundles),
            "bundle_items": sum(len(b.skus) for b in catalog.bundles.values()),
            "customers": len(customers.customers),
            "consents": len(customers.consents),
            "orders": len(self.data.orders),
            "order_lines": sum(len(o.lines) for o in self.data.orders.values()),
            "events": len(self.state.events.events),
            "imports": 0,
        }

    def best_selling_sku(self) -> str | None:
        lines = Counter(line.sku for o in self.state.orders.orders.values() for line in o.lines)
        ranked = sorted(lines.items(), key=lambda item: (-item[1], item[0]))
        return ranked[0][0] if ranked else None

    def frequent_customers(self, limit: int) -> list[str]:
        counts = Counter(o.customer_id for o in self.state.orders.orders.values() if o.customer_id)
        return [customer for customer, _ in counts.most_common(limit)]
