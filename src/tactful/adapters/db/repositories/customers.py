"""Customers and their consents (SQLAlchemy Core; SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select

from tactful.adapters.db.repositories._common import (
    UpsertCounts,
    chunked,
    dialect_insert,
    insert_ignoring,
    last_by,
)
from tactful.adapters.db.tables import consents, customers
from tactful.domain.customers import Consent, ConsentPurpose, Customer, CustomerId

CUSTOMER_FIELDS = ("email", "timezone", "country")
_CUSTOMERS_IN = select(customers).where(
    customers.c.customer_id.in_(bindparam("ids", expanding=True))
)


def upsert_customers(
    conn: Connection,
    customers_: Sequence[Customer],
    *,
    at: datetime,
    update_fields: Collection[str] | None = None,
) -> UpsertCounts:
    """Create new customers and update changed ones; their consents are recorded too.

    `update_fields` limits what an existing customer may have overwritten; `()` only creates
    (an order import knows ids, not time zones). A None email or country never erases a
    known one.
    """
    fields = CUSTOMER_FIELDS if update_fields is None else tuple(update_fields)
    unknown = set(fields) - set(CUSTOMER_FIELDS)
    if unknown:
        raise ValueError(f"unknown customer fields {sorted(unknown)}")
    batch = last_by(customers_, lambda c: c.customer_id)
    existing: dict[str, Any] = {}
    for chunk in chunked([c.customer_id for c in batch]):
        rows = conn.execute(_CUSTOMERS_IN, {"ids": chunk})
        existing.update({row.customer_id: row for row in rows})
    new_rows: list[dict[str, Any]] = []
    changed_rows: list[dict[str, Any]] = []
    for customer in batch:
        row = {
            "customer_id": customer.customer_id,
            "email": customer.email,
            "timezone": customer.timezone,
            "created_at": at,
            "country": customer.country,
        }
        old = existing.get(customer.customer_id)
        if old is None:
            new_rows.append(row)
            continue
        if row["email"] is None:
            row["email"] = old.email
        if row["country"] is None:
            row["country"] = old.country
        if any(getattr(old, f) != row[f] for f in fields):
            changed_rows.append(row)
    _write(conn, new_rows, changed_rows, fields)
    for customer in batch:
        for consent in customer.consents:
            record_consent(conn, customer.customer_id, consent)
    unchanged = len(batch) - len(new_rows) - len(changed_rows)
    return UpsertCounts(len(new_rows), len(changed_rows), unchanged)


def _write(
    conn: Connection,
    new_rows: list[dict[str, Any]],
    changed_rows: list[dict[str, Any]],
    fields: Sequence[str],
) -> None:
    insert = dialect_insert(conn, customers)
    if new_rows:
        conn.execute(insert_ignoring(conn.dialect.name, customers, "customer_id"), new_rows)
    if changed_rows:
        statement = insert.on_conflict_do_update(
            index_elements=["customer_id"], set_={f: insert.excluded[f] for f in fields}
        )
        conn.execute(statement, changed_rows)


def get_customer(conn: Connection, customer_id: str) -> Customer | None:
    """The customer with its consents (oldest first), or None if unknown."""
    row = conn.execute(select(customers).where(customers.c.customer_id == customer_id)).first()
    if row is None:
        return None
    query = (
        select(consents)
        .where(consents.c.customer_id == customer_id)
        .order_by(consents.c.at, consents.c.purpose)
    )
    given = tuple(
        Consent(ConsentPurpose(c.purpose), bool(c.granted), c.at, c.source)
        for c in conn.execute(query)
    )
    return Customer(CustomerId(row.customer_id), row.email, row.timezone, given, row.country)


def record_consent(conn: Connection, customer_id: str, consent: Consent) -> bool:
    """Record a consent given or withdrawn; returns False if that exact record existed.

    An unknown customer is created first: consent can precede any order.
    """
    conn.execute(
        dialect_insert(conn, customers).on_conflict_do_nothing(index_elements=["customer_id"]),
        [{"customer_id": customer_id, "email": None, "timezone": "UTC", "created_at": consent.at}],
    )
    insert = (
        dialect_insert(conn, consents)
        .on_conflict_do_nothing(index_elements=["customer_id", "purpose", "at"])
        .returning(consents.c.customer_id)
    )
    result = conn.execute(
        insert,
        {
            "customer_id": customer_id,
            "purpose": consent.purpose.value,
            "granted": consent.granted,
            "at": consent.at,
            "source": consent.source,
        },
    )
    return result.first() is not None


class SqlCustomerStore:
    """`tactful.services.ports.CustomerStore` on one SQLAlchemy connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def upsert_customers(
        self,
        customers_: Sequence[Customer],
        *,
        at: datetime,
        update_fields: Collection[str] | None = None,
    ) -> UpsertCounts:
        return upsert_customers(self.connection, customers_, at=at, update_fields=update_fields)

    def get_customer(self, customer_id: str) -> Customer | None:
        return get_customer(self.connection, customer_id)

    def record_consent(self, customer_id: str, consent: Consent) -> bool:
        return record_consent(self.connection, customer_id, consent)
