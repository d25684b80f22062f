"""Exposed customers' orders totalled in the database: one row per customer and currency.

The exposures go in as one JSON parameter (an object per customer: their first decision and
the start of their pre-period), unpacked by the database into a table (SQLite's `json_each`,
PostgreSQL's `jsonb_to_recordset`), so the statement is compiled once however many customers
there are. Each customer's orders are found through the index by customer and time, totalled
per order (lines, units, refunds that did not fail), then split at the first decision: the
outcome after it, the pre-period's net spend before it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Dialect,
    String,
    and_,
    bindparam,
    case,
    cast,
    column,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB

from tactful.adapters.db.repositories._common import utc
from tactful.adapters.db.tables import Timestamp, order_lines, orders
from tactful.adapters.db.tables_payments import order_refunds
from tactful.domain.measurement import CustomerTotals, Exposure
from tactful.domain.refunds import RefundStatus

__all__ = ["read_customer_totals", "refunded_of_order"]


def read_customer_totals(
    connection: Connection,
    exposures: Sequence[Exposure],
    *,
    until: datetime,
    pre_period: timedelta,
) -> list[CustomerTotals]:
    """`MeasurementReads.customer_totals` on one connection."""
    kept = [e for e in exposures if e.held_out is not None]
    if not kept:
        return []
    text = _as_text(connection.dialect)
    rows = [
        {
            "customer_id": e.customer_id,
            "first_at": text(utc(e.first_at)),
            "pre_start": text(utc(e.first_at - pre_period)),
        }
        for e in kept
    ]
    query = _query(_exposed(connection.dialect.name), utc(until))
    return list(_totals(connection.execute(query, {"exposed": json.dumps(rows)})))


def _as_text(dialect: Dialect) -> Callable[[datetime], str]:
    """A time as the JSON parameter carries it: as SQLite stores it (compared as text there),
    ISO 8601 for PostgreSQL (read back as timestamptz)."""
    if dialect.name != "sqlite":
        return datetime.isoformat
    stored: Callable[[datetime], str] | None = Timestamp.dialect_impl(dialect).bind_processor(
        dialect
    )
    if stored is None:
        raise RuntimeError("SQLite stores times as text through a bind processor")
    return stored


def _exposed(dialect: str) -> Any:
    """The JSON parameter as a table (customer_id, first_at, pre_start)."""
    given = bindparam("exposed", type_=String)
    if dialect == "sqlite":
        each = func.json_each(given).table_valued("value")
        return select(
            *(
                func.json_extract(each.c.value, f"$.{name}").label(name)
                for name in ("customer_id", "first_at", "pre_start")
            )
        ).cte("exposed")
    records = (
        func.jsonb_to_recordset(cast(given, JSONB))
        .table_valued(
            column("customer_id", String),
            column("first_at", Timestamp),
            column("pre_start", Timestamp),
        )
        .render_derived(with_types=True)
    )
    return select(records).cte("exposed")


def refunded_of_order() -> Any:
    """What was refunded of the outer query's order (failed refunds give nothing back)."""
    return (
        select(func.coalesce(func.sum(order_refunds.c.amount_minor), 0))
        .where(order_refunds.c.order_id == orders.c.order_id)
        .where(order_refunds.c.status != RefundStatus.FAILED.value)
        .scalar_subquery()
    )


def _query(exposed: Any, until: datetime) -> Any:
    placed = (
        select(
            orders.c.customer_id,
            orders.c.created_at,
            orders.c.currency,
            func.sum(order_lines.c.quantity * order_lines.c.unit_price).label("gross"),
            func.sum(order_lines.c.quantity).label("units"),
            refunded_of_order().label("refunded"),
        )
        .join(
            exposed,
            and_(
                orders.c.customer_id == exposed.c.customer_id,
                orders.c.created_at >= exposed.c.pre_start,
            ),
        )
        .join(order_lines, order_lines.c.order_id == orders.c.order_id)
        .where(orders.c.created_at < until)
        .group_by(orders.c.order_id, orders.c.customer_id, orders.c.created_at, orders.c.currency)
        .subquery()
    )
    after = placed.c.created_at >= exposed.c.first_at

    def when(condition: Any, value: Any) -> Any:
        return func.sum(case((condition, value), else_=0))

    return (
        select(
            exposed.c.customer_id,
            placed.c.currency,
            when(after, 1),
            when(after, placed.c.gross),
            when(after, placed.c.refunded),
            when(after, placed.c.units),
            when(~after, 1),
            when(~after, placed.c.gross - placed.c.refunded),
            func.max(case((~after, placed.c.created_at))),
        )
        .join(placed, placed.c.customer_id == exposed.c.customer_id)
        .group_by(exposed.c.customer_id, placed.c.currency)
    )


def _totals(rows: Any) -> Iterator[CustomerTotals]:
    for customer, currency, after, gross, refunded, units, before, pre_net, last in rows:
        yield CustomerTotals(
            customer,
            currency,
            orders=int(after),
            gross=int(gross),
            refunded=int(refunded),
            units=int(units),
            pre_orders=int(before),
            pre_net=int(pre_net),
            last_pre_at=None if last is None else utc(last),
        )
