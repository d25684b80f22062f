"""`tactful.services.ports.CustomerStore` in memory."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from tactful.domain.counts import UpsertCounts
from tactful.domain.customers import Customer

if TYPE_CHECKING:
    from tactful.adapters.memory.database import MemoryState


@dataclass
class CustomerData:
    """What the customers store holds."""

    customers: dict[str, Customer] = field(default_factory=dict)


class MemoryCustomerStore:
    """`tactful.services.ports.CustomerStore` over a memory transaction's working state."""

    def __init__(self, state: MemoryState) -> None:
        self.state = state

    def upsert_customers(
        self,
        customers_: Sequence[Customer],
        *,
        at: datetime,
        update_fields: Collection[str] | None = None,
    ) -> UpsertCounts:
        fields = ("email", "timezone") if update_fields is None else tuple(update_fields)
        stored = self.state.customers.customers
        batch = list({c.customer_id: c for c in customers_}.values())
        created = updated = 0
        for customer in batch:
            old = stored.get(customer.customer_id)
            if old is None:
                created += 1
                stored[customer.customer_id] = customer
                continue
            email = customer.email if customer.email is not None else old.email
            new = replace(customer, email=email)
            changes = {f: getattr(new, f) for f in fields if getattr(old, f) != getattr(new, f)}
            if changes:
                updated += 1
                stored[customer.customer_id] = replace(old, **changes)
        return UpsertCounts(created, updated, len(batch) - created - updated)
