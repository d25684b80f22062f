"""`tactful.services.ports.CustomerStore` in memory."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tactful.adapters.memory._common import check_fields, last_by, utc
from tactful.domain.counts import UpsertCounts
from tactful.domain.customers import Consent, ConsentPurpose, Customer, CustomerId

if TYPE_CHECKING:
    from tactful.adapters.memory.database import MemoryState

CUSTOMER_FIELDS = ("email", "timezone", "country")


@dataclass
class CustomerData:
    """What the customers store holds: rows by id, consents by (customer, purpose, time)."""

    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    consents: dict[tuple[str, ConsentPurpose, datetime], Consent] = field(default_factory=dict)


class MemoryCustomerStore:
    """`tactful.services.ports.CustomerStore` over a memory transaction's working state."""

    def __init__(self, state: MemoryState) -> None:
        self.data = state.customers

    def upsert_customers(
        self,
        customers_: Sequence[Customer],
        *,
        at: datetime,
        update_fields: Collection[str] | None = None,
    ) -> UpsertCounts:
        fields = (
            CUSTOMER_FIELDS
            if update_fields is None
            else check_fields(update_fields, CUSTOMER_FIELDS, "customer")
        )
        batch = last_by(customers_, lambda c: c.customer_id)
        counts = UpsertCounts()
        for customer in batch:
            row = {
                "email": customer.email,
                "timezone": customer.timezone,
                "created_at": at,
                "country": customer.country,
            }
            old = self.data.customers.get(customer.customer_id)
            if old is None:
                self.data.customers[customer.customer_id] = row
                counts += UpsertCounts(created=1)
                continue
            if row["email"] is None:
                row["email"] = old["email"]
            if row["country"] is None:
                row["country"] = old.get("country")
            if any(old.get(f) != row[f] for f in fields):
                old.update({f: row[f] for f in fields})
                counts += UpsertCounts(updated=1)
            else:
                counts += UpsertCounts(unchanged=1)
        for customer in batch:
            for consent in customer.consents:
                self.record_consent(customer.customer_id, consent)
        return counts

    def get_customer(self, customer_id: str) -> Customer | None:
        row = self.data.customers.get(customer_id)
        if row is None:
            return None
        given = sorted(
            (c for (owner, _, _), c in self.data.consents.items() if owner == customer_id),
            key=lambda c: (c.at, c.purpose.value),
        )
        return Customer(
            CustomerId(customer_id),
            row["email"],
            row["timezone"],
            tuple(given),
            row.get("country"),
        )

    def record_consent(self, customer_id: str, consent: Consent) -> bool:
        self.data.customers.setdefault(
            customer_id, {"email": None, "timezone": "UTC", "created_at": consent.at}
        )
        key = (customer_id, consent.purpose, utc(consent.at))
        if key in self.data.consents:
            return False
        self.data.consents[key] = Consent(consent.purpose, consent.granted, key[2], consent.source)
        return True
