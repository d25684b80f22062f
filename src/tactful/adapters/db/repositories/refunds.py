"""Refunds of orders: one row per refund id, summed per order for what remains refundable."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select, update

from tactful.adapters.db.repositories._common import dialect_insert, utc
from tactful.adapters.db.tables import orders
from tactful.adapters.db.tables_payments import order_refunds
from tactful.domain.refunds import OrderRefund, RefundLine, RefundStatus

__all__ = [
    "SqlRefundStore",
    "finish_refund",
    "get_refund",
    "lock_order",
    "record_refund",
    "refunded_total",
    "refunds_of",
]

_COUNTING = (str(RefundStatus.PENDING), str(RefundStatus.SUCCEEDED))


def _row(refund: OrderRefund) -> dict[str, Any]:
    lines = None
    if refund.lines is not None:
        lines = [
            {"line_no": line.line_no, "quantity": line.quantity, "amount": line.amount}
            for line in refund.lines
        ]
    return {
        "refund_id": refund.refund_id,
        "order_id": refund.order_id,
        "amount_minor": refund.amount,
        "currency": refund.currency,
        "reason": refund.reason,
        "status": str(refund.status),
        "gateway_ref": refund.gateway_ref,
        "lines": lines,
        "created_at": refund.created_at,
    }


def _refund(row: Any) -> OrderRefund:
    lines = None
    if row["lines"] is not None:
        lines = tuple(
            RefundLine(int(line["line_no"]), int(line["quantity"]), int(line["amount"]))
            for line in row["lines"]
        )
    return OrderRefund(
        refund_id=row["refund_id"],
        order_id=row["order_id"],
        amount=int(row["amount_minor"]),
        currency=row["currency"],
        reason=row["reason"],
        status=RefundStatus(row["status"]),
        gateway_ref=row["gateway_ref"],
        lines=lines,
        created_at=utc(row["created_at"]),
    )


def lock_order(conn: Connection, order_id: str) -> None:
    """Hold the order's row until the transaction ends (a write lock on SQLite, a row lock on
    PostgreSQL), so two refunds of one order cannot both pass the remaining-amount check."""
    conn.execute(
        update(orders).where(orders.c.order_id == order_id).values(order_id=orders.c.order_id)
    )


def record_refund(conn: Connection, refund: OrderRefund) -> OrderRefund:
    """Store a refund once by id; a repeat changes nothing and returns the first."""
    insert = dialect_insert(conn, order_refunds).values(**_row(refund))
    conn.execute(insert.on_conflict_do_nothing(index_elements=["refund_id"]))
    stored = get_refund(conn, refund.refund_id)
    assert stored is not None
    return stored


def get_refund(conn: Connection, refund_id: str) -> OrderRefund | None:
    """One refund."""
    query = select(order_refunds).where(order_refunds.c.refund_id == refund_id)
    row = conn.execute(query).mappings().first()
    return None if row is None else _refund(row)


def finish_refund(
    conn: Connection, refund_id: str, *, status: RefundStatus, gateway_ref: str | None
) -> OrderRefund:
    """Settle a refund's status and gateway reference; LookupError when it is unknown."""
    query = (
        update(order_refunds)
        .where(order_refunds.c.refund_id == refund_id)
        .values(status=str(status), gateway_ref=gateway_ref)
    )
    if conn.execute(query).rowcount == 0:
        raise LookupError(f"refund: no refund {refund_id!r}")
    stored = get_refund(conn, refund_id)
    assert stored is not None
    return stored


def refunds_of(conn: Connection, order_id: str) -> list[OrderRefund]:
    """The order's refunds, oldest first."""
    query = (
        select(order_refunds)
        .where(order_refunds.c.order_id == order_id)
        .order_by(order_refunds.c.created_at, order_refunds.c.refund_id)
    )
    return [_refund(row) for row in conn.execute(query).mappings()]


def refunded_total(conn: Connection, order_id: str) -> int:
    """What the order's pending and succeeded refunds gave back, in minor units."""
    query = select(func.coalesce(func.sum(order_refunds.c.amount_minor), 0)).where(
        order_refunds.c.order_id == order_id, order_refunds.c.status.in_(_COUNTING)
    )
    return int(conn.execute(query).scalar_one())


class SqlRefundStore:
    """`tactful.services.ports.refunds.RefundStore` on one SQLAlchemy connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def lock_order(self, order_id: str) -> None:
        return lock_order(self.connection, order_id)

    def record_refund(self, refund: OrderRefund) -> OrderRefund:
        return record_refund(self.connection, refund)

    def get_refund(self, refund_id: str) -> OrderRefund | None:
        return get_refund(self.connection, refund_id)

    def finish_refund(
        self, refund_id: str, *, status: RefundStatus, gateway_ref: str | None
    ) -> OrderRefund:
        return finish_refund(self.connection, refund_id, status=status, gateway_ref=gateway_ref)

    def refunds_of(self, order_id: str) -> list[OrderRefund]:
        return refunds_of(self.connection, order_id)

    def refunded_total(self, order_id: str) -> int:
        return refunded_total(self.connection, order_id)
