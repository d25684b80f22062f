"""Checkout storage: pages, idempotency keys, funnel state, order-line appends, charges.

Plain functions over a Connection; the service owns the transaction. Exactly-once rests on
the database: primary keys and guarded UPDATEs, never on an in-process lock.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from tactful.adapters.db.repositories._common import dialect_insert, utc
from tactful.adapters.db.tables import order_lines
from tactful.adapters.db.tables_checkout import (
    checkout_charges,
    checkout_offer_responses,
    checkout_orders,
    checkout_pages,
    idempotency_keys,
)
from tactful.domain.checkout.records import ChargeRecord, CheckoutOrder, OfferAnswer, StoredKey
from tactful.domain.orders import OrderLine

# The old name of `OfferAnswer`, kept while other modules still use it.
OfferResponse = OfferAnswer

__all__ = ["ChargeRecord", "CheckoutOrder", "OfferAnswer", "OfferResponse", "StoredKey"]


def save_page(conn: Connection, slug: str, definition: dict[str, Any], *, at: datetime) -> bool:
    """Create or replace a page definition; True when it was new."""
    insert = dialect_insert(conn, checkout_pages)
    existed = load_page(conn, slug) is not None
    conn.execute(
        insert.values(
            slug=slug, definition=definition, created_at=at, updated_at=at
        ).on_conflict_do_update(
            index_elements=["slug"],
            set_={"definition": insert.excluded.definition, "updated_at": at},
        )
    )
    return not existed


def load_page(conn: Connection, slug: str) -> dict[str, Any] | None:
    """A page's stored definition."""
    query = select(checkout_pages.c.definition).where(checkout_pages.c.slug == slug)
    value = conn.execute(query).scalar_one_or_none()
    return dict(value) if value is not None else None


def list_pages(conn: Connection) -> list[str]:
    """Slugs of every page."""
    return list(
        conn.execute(select(checkout_pages.c.slug).order_by(checkout_pages.c.slug)).scalars()
    )


def claim_key(conn: Connection, key: str, fingerprint: str, *, at: datetime) -> bool:
    """Claim an idempotency key; False when it was claimed before (by anyone)."""
    statement = (
        dialect_insert(conn, idempotency_keys)
        .values(key=key, fingerprint=fingerprint, status="in_flight", created_at=at)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(idempotency_keys.c.key)
    )
    return conn.execute(statement).first() is not None


def get_key(conn: Connection, key: str) -> StoredKey | None:
    """A stored idempotency key."""
    row = conn.execute(select(idempotency_keys).where(idempotency_keys.c.key == key)).first()
    if row is None:
        return None
    return StoredKey(row.key, row.fingerprint, row.status, row.result, utc(row.created_at))


def complete_key(conn: Connection, key: str, result: dict[str, Any], *, at: datetime) -> None:
    """Store the first result under its key."""
    conn.execute(
        idempotency_keys.update()
        .where(idempotency_keys.c.key == key)
        .values(status="done", result=result, completed_at=at)
    )


def release_key(conn: Connection, key: str) -> None:
    """Forget a key whose work failed before any result, so a retry can run."""
    conn.execute(
        idempotency_keys.delete().where(
            idempotency_keys.c.key == key, idempotency_keys.c.status == "in_flight"
        )
    )


def retake_key(conn: Connection, key: str, *, before: datetime, at: datetime) -> bool:
    """Take over a key in flight since before `before`; True for the one taker."""
    result = conn.execute(
        idempotency_keys.update()
        .where(
            idempotency_keys.c.key == key,
            idempotency_keys.c.status == "in_flight",
            idempotency_keys.c.created_at < before,
        )
        .values(created_at=at)
    )
    return result.rowcount == 1


def insert_checkout_order(conn: Connection, order: CheckoutOrder) -> None:
    """Remember the checkout side of a new order."""
    conn.execute(
        checkout_orders.insert().values(
            order_id=order.order_id,
            page_slug=order.page_slug,
            customer_id=order.customer_id,
            email=order.email,
            name=order.name,
            gateway=order.gateway,
            payment_method_id=order.payment_method_id,
            card_label=order.card_label,
            purchased_at=order.purchased_at,
            attribution=order.attribution,
        )
    )


def get_checkout_order(conn: Connection, order_id: str) -> CheckoutOrder | None:
    """The checkout side of an order."""
    row = conn.execute(
        select(checkout_orders).where(checkout_orders.c.order_id == order_id)
    ).first()
    if row is None:
        return None
    values = row._asdict()
    values["purchased_at"] = utc(values["purchased_at"])
    return CheckoutOrder(**values)


def responses(conn: Connection, order_id: str) -> dict[str, OfferAnswer]:
    """Every offer row of an order, by offer id."""
    query = select(checkout_offer_responses).where(checkout_offer_responses.c.order_id == order_id)
    return {
        row.offer_id: OfferAnswer(
            row.offer_id, row.sku, row.status, row.charge_id, row.message, utc(row.claimed_at)
        )
        for row in conn.execute(query)
    }


def claim_offer(
    conn: Connection, order_id: str, offer_id: str, sku: str, status: str, *, at: datetime
) -> bool:
    """Create the offer's one row; False when it exists (another request got there first)."""
    statement = (
        dialect_insert(conn, checkout_offer_responses)
        .values(
            order_id=order_id,
            offer_id=offer_id,
            sku=sku,
            status=status,
            claimed_at=at,
            answered_at=None if status == "pending" else at,
        )
        .on_conflict_do_nothing(index_elements=["order_id", "offer_id"])
        .returning(checkout_offer_responses.c.offer_id)
    )
    return conn.execute(statement).first() is not None


def finish_offer(
    conn: Connection,
    order_id: str,
    offer_id: str,
    *,
    status: str,
    at: datetime,
    charge_id: str | None = None,
    line_no: int | None = None,
    message: str | None = None,
) -> bool:
    """Move a pending offer to its final status; False if it was not pending any more."""
    result = conn.execute(
        checkout_offer_responses.update()
        .where(
            checkout_offer_responses.c.order_id == order_id,
            checkout_offer_responses.c.offer_id == offer_id,
            checkout_offer_responses.c.status == "pending",
        )
        .values(
            status=status, charge_id=charge_id, line_no=line_no, message=message, answered_at=at
        )
    )
    return result.rowcount == 1


def retake_offer(
    conn: Connection, order_id: str, offer_id: str, *, before: datetime, at: datetime
) -> bool:
    """Take over a pending offer whose worker died (claimed before `before`)."""
    result = conn.execute(
        checkout_offer_responses.update()
        .where(
            checkout_offer_responses.c.order_id == order_id,
            checkout_offer_responses.c.offer_id == offer_id,
            checkout_offer_responses.c.status == "pending",
            checkout_offer_responses.c.claimed_at < before,
        )
        .values(claimed_at=at)
    )
    return result.rowcount == 1


def append_line(conn: Connection, order_id: str, line: OrderLine) -> int:
    """Add a line to a stored order; returns its line number."""
    query = select(func.coalesce(func.max(order_lines.c.line_no), 0)).where(
        order_lines.c.order_id == order_id
    )
    line_no = int(conn.execute(query).scalar_one()) + 1
    conn.execute(
        order_lines.insert().values(
            order_id=order_id,
            line_no=line_no,
            sku=line.sku,
            quantity=line.quantity,
            unit_price=line.unit_price.amount,
            offer_id=line.offer_id,
            source=line.source.value,
        )
    )
    return line_no


def record_charge(
    conn: Connection,
    *,
    charge_id: str,
    order_id: str,
    offer_id: str | None,
    amount: int,
    currency: str,
    at: datetime,
) -> None:
    """Link a succeeded gateway charge to the order (and offer) it paid for."""
    conn.execute(
        checkout_charges.insert().values(
            charge_id=charge_id,
            order_id=order_id,
            offer_id=offer_id,
            amount=amount,
            currency=currency,
            created_at=at,
        )
    )


def order_charges(conn: Connection, order_id: str) -> list[ChargeRecord]:
    """Charges made for an order, oldest first."""
    query = (
        select(checkout_charges)
        .where(checkout_charges.c.order_id == order_id)
        .order_by(checkout_charges.c.created_at, checkout_charges.c.charge_id)
    )
    return [
        ChargeRecord(
            row.charge_id, row.order_id, row.offer_id, row.amount, row.currency, utc(row.created_at)
        )
        for row in conn.execute(query)
    ]


def set_offer_line(conn: Connection, order_id: str, offer_id: str, line_no: int) -> None:
    """Remember which order line an accepted offer added (unique per order)."""
    conn.execute(
        checkout_offer_responses.update()
        .where(
            checkout_offer_responses.c.order_id == order_id,
            checkout_offer_responses.c.offer_id == offer_id,
        )
        .values(line_no=line_no)
    )


class SqlCheckoutStore:
    """`tactful.services.ports.CheckoutStore` on one SQLAlchemy connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def save_page(self, slug: str, definition: dict[str, Any], *, at: datetime) -> bool:
        return save_page(self.connection, slug, definition, at=at)

    def load_page(self, slug: str) -> dict[str, Any] | None:
        return load_page(self.connection, slug)

    def list_pages(self) -> list[str]:
        return list_pages(self.connection)

    def claim_key(self, key: str, fingerprint: str, *, at: datetime) -> bool:
        return claim_key(self.connection, key, fingerprint, at=at)

    def get_key(self, key: str) -> StoredKey | None:
        return get_key(self.connection, key)

    def complete_key(self, key: str, result: dict[str, Any], *, at: datetime) -> None:
        complete_key(self.connection, key, result, at=at)

    def release_key(self, key: str) -> None:
        release_key(self.connection, key)

    def retake_key(self, key: str, *, before: datetime, at: datetime) -> bool:
        return retake_key(self.connection, key, before=before, at=at)

    def insert_checkout_order(self, order: CheckoutOrder) -> None:
        insert_checkout_order(self.connection, order)

    def get_checkout_order(self, order_id: str) -> CheckoutOrder | None:
        return get_checkout_order(self.connection, order_id)

    def responses(self, order_id: str) -> dict[str, OfferAnswer]:
        return responses(self.connection, order_id)

    def claim_offer(
        self, order_id: str, offer_id: str, sku: str, status: str, *, at: datetime
    ) -> bool:
        return claim_offer(self.connection, order_id, offer_id, sku, status, at=at)

    def finish_offer(
        self,
        order_id: str,
        offer_id: str,
        *,
        status: str,
        at: datetime,
        charge_id: str | None = None,
        line_no: int | None = None,
        message: str | None = None,
    ) -> bool:
        return finish_offer(
            self.connection,
            order_id,
            offer_id,
            status=status,
            at=at,
            charge_id=charge_id,
            line_no=line_no,
            message=message,
        )

    def retake_offer(self, order_id: str, offer_id: str, *, before: datetime, at: datetime) -> bool:
        return retake_offer(self.connection, order_id, offer_id, before=before, at=at)

    def append_line(self, order_id: str, line: OrderLine) -> int:
        return append_line(self.connection, order_id, line)

    def record_charge(
        self,
        *,
        charge_id: str,
        order_id: str,
        offer_id: str | None,
        amount: int,
        currency: str,
        at: datetime,
    ) -> None:
        record_charge(
            self.connection,
            charge_id=charge_id,
            order_id=order_id,
            offer_id=offer_id,
            amount=amount,
            currency=currency,
            at=at,
        )

    def order_charges(self, order_id: str) -> list[ChargeRecord]:
        return order_charges(self.connection, order_id)

    def set_offer_line(self, order_id: str, offer_id: str, line_no: int) -> None:
        set_offer_line(self.connection, order_id, offer_id, line_no)
