"""Payments in flight, disputes and handled webhook events, one row each by id."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from tactful.adapters.db.repositories._common import dialect_insert, utc
from tactful.adapters.db.tables_payments import order_disputes, pending_payments, webhook_events
from tactful.domain.payment_records import Dispute, PendingPayment

__all__ = [
    "SqlPaymentStore",
    "disputes_of",
    "event_seen",
    "get_pending",
    "pending_for_offer",
    "record_dispute",
    "record_event",
    "save_pending",
    "settle_pending",
]


def _insert_once(conn: Connection, table: Any, key: str, values: dict[str, Any]) -> bool:
    insert = dialect_insert(conn, table).values(**values)
    statement = insert.on_conflict_do_nothing(index_elements=[key]).returning(table.c[key])
    return conn.execute(statement).first() is not None


def record_event(conn: Connection, event_id: str, *, gateway: str, type: str, at: datetime) -> bool:
    """Remember a webhook event; False when it was handled before (by anyone)."""
    values = {"event_id": event_id, "gateway": gateway, "type": type, "received_at": at}
    return _insert_once(conn, webhook_events, "event_id", values)


def event_seen(conn: Connection, event_id: str) -> bool:
    """Whether a webhook event was handled already."""
    query = select(webhook_events.c.event_id).where(webhook_events.c.event_id == event_id)
    return conn.execute(query).first() is not None


def _pending(row: Any) -> PendingPayment:
    return PendingPayment(
        payment_ref=row["payment_ref"],
        gateway=row["gateway"],
        purpose=row["purpose"],
        order_id=row["order_id"],
        amount=int(row["amount"]),
        currency=row["currency"],
        status=row["status"],
        details=dict(row["details"]),
        created_at=utc(row["created_at"]),
        updated_at=utc(row["updated_at"]),
    )


def save_pending(conn: Connection, payment: PendingPayment) -> None:
    """Store a payment in flight once by reference; a repeat changes nothing."""
    values = {
        "payment_ref": payment.payment_ref,
        "gateway": payment.gateway,
        "purpose": payment.purpose,
        "order_id": payment.order_id,
        "amount": payment.amount,
        "currency": payment.currency,
        "status": payment.status,
        "details": payment.details,
        "created_at": payment.created_at,
        "updated_at": payment.updated_at,
    }
    _insert_once(conn, pending_payments, "payment_ref", values)


def get_pending(conn: Connection, payment_ref: str) -> PendingPayment | None:
    """A payment in flight by reference."""
    query = select(pending_payments).where(pending_payments.c.payment_ref == payment_ref)
    row = conn.execute(query).mappings().first()
    return None if row is None else _pending(row)


def pending_for_offer(conn: Connection, order_id: str, offer_id: str) -> PendingPayment | None:
    """The newest payment of an order's offer waiting for the customer, if any."""
    query = (
        select(pending_payments)
        .where(pending_payments.c.order_id == order_id, pending_payments.c.purpose == "offer")
        .order_by(pending_payments.c.created_at.desc())
    )
    for row in conn.execute(query).mappings():
        if row["details"].get("offer_id") == offer_id:
            return _pending(row)
    return None


def settle_pending(conn: Connection, payment_ref: str, *, status: str, at: datetime) -> bool:
    """Move a payment to `status`; False when it had that status already (settled once) or
    has succeeded (a succeeded payment is final, whatever arrives after)."""
    query = (
        update(pending_payments)
        .where(
            pending_payments.c.payment_ref == payment_ref,
            pending_payments.c.status != status,
            pending_payments.c.status != "succeeded",
        )
        .values(status=status, updated_at=at)
    )
    return bool(conn.execute(query).rowcount == 1)


def record_dispute(conn: Connection, dispute: Dispute) -> bool:
    """Store a dispute once by id; False when it was stored before."""
    values = {
        "dispute_id": dispute.dispute_id,
        "order_id": dispute.order_id,
        "amount": dispute.amount,
        "currency": dispute.currency,
        "reason": dispute.reason,
        "status": dispute.status,
        "created_at": dispute.created_at,
    }
    return _insert_once(conn, order_disputes, "dispute_id", values)


def disputes_of(conn: Connection, order_id: str) -> list[Dispute]:
    """The order's disputes, oldest first."""
    query = (
        select(order_disputes)
        .where(order_disputes.c.order_id == order_id)
        .order_by(order_disputes.c.created_at, order_disputes.c.dispute_id)
    )
    return [
        Dispute(
            r["dispute_id"],
            r["order_id"],
            int(r["amount"]),
            r["currency"],
            r["reason"],
            r["status"],
            utc(r["created_at"]),
        )
        for r in conn.execute(query).mappings()
    ]


class SqlPaymentStore:
    """`tactful.services.ports.payments.PaymentStore` on one SQLAlchemy connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def record_event(self, event_id: str, *, gateway: str, type: str, at: datetime) -> bool:
        return record_event(self.connection, event_id, gateway=gateway, type=type, at=at)

    def event_seen(self, event_id: str) -> bool:
        return event_seen(self.connection, event_id)

    def save_pending(self, payment: PendingPayment) -> None:
        return save_pending(self.connection, payment)

    def get_pending(self, payment_ref: str) -> PendingPayment | None:
        return get_pending(self.connection, payment_ref)

    def pending_for_offer(self, order_id: str, offer_id: str) -> PendingPayment | None:
        return pending_for_offer(self.connection, order_id, offer_id)

    def settle_pending(self, payment_ref: str, *, status: str, at: datetime) -> bool:
        return settle_pending(self.connection, payment_ref, status=status, at=at)

    def record_dispute(self, dispute: Dispute) -> bool:
        return record_dispute(self.connection, dispute)

    def disputes_of(self, order_id: str) -> list[Dispute]:
        return disputes_of(self.connection, order_id)
