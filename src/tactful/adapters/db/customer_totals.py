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
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
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

from tactful.adapters.db.order_rollups import Covered, covered
from tactful.adapters.db.repositories._common import utc
from tactful.adapters.db.rolled_totals import in_part, refunded_orders, rolled_query
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
    rolled: tuple[datetime, datetime] | None = None,
) -> list[CustomerTotals]:
    """`MeasurementReads.customer_totals` on one connection."""
    kept = [e for e in exposures if e.held_out is not None]
    if not kept:
        return []
    parts = {e.customer_id: _parts(utc(e.first_at), utc(until), pre_period, rolled) for e in kept}
    text = _as_text(connection.dialect)
    rows = [_exposed_row(e, pre_period, parts[e.customer_id], text) for e in kept]
    exposed = _exposed(connection.dialect.name)
    given = {"exposed": json.dumps(rows)}
    found = _totals(connection.execute(_query(exposed, utc(until)), given))
    if rolled is None:
        return list(found)
    summed = {(t.customer_id, t.currency): t for t in found}
    for row in connection.execute(rolled_query(exposed), given):
        _add_rolled(summed, row)
    since = min(utc(e.first_at) for e in kept) - pre_period
    for customer, placed_at, currency, amount in connection.execute(
        refunded_orders(since, utc(until))
    ):
        pre, post = parts.get(customer, (None, None))
        if post is not None and post.since <= utc(placed_at) < post.until:
            _add_refund(summed, (customer, currency), refunded=int(amount))
        elif pre is not None and pre.since <= utc(placed_at) < pre.until:
            _add_refund(summed, (customer, currency), pre_refunded=int(amount))
    return list(summed.values())


def _parts(
    first_at: datetime,
    until: datetime,
    pre_period: timedelta,
    rolled: tuple[datetime, datetime] | None,
) -> tuple[Covered, Covered]:
    """What of a customer's pre-period and of their outcome the rollups answer for."""
    pre_start = first_at - pre_period
    if rolled is None:
        nothing = Covered(pre_start, pre_start, date.min, date.min)
        return nothing, nothing
    return covered(pre_start, first_at, rolled), covered(first_at, until, rolled)


def _exposed_row(
    exposure: Exposure,
    pre_period: timedelta,
    parts: tuple[Covered, Covered],
    text: Callable[[datetime], str],
) -> dict[str, str]:
    """A customer's first decision, the start of their pre-period, and what of each part
    the rollups answer for."""
    first_at = utc(exposure.first_at)
    row = {"customer_id": exposure.customer_id, "first_at": text(first_at)}
    row["pre_start"] = text(first_at - pre_period)
    for name, part in zip(("pre", "post"), parts, strict=True):
        row |= {f"{name}_since": text(part.since), f"{name}_until": text(part.until)}
        row |= {
            f"{name}_first": part.first_day.isoformat(),
            f"{name}_end": part.end_day.isoformat(),
        }
    return row


def _add_rolled(summed: dict[tuple[str, str], CustomerTotals], row: Any) -> None:
    """Add a customer's rolled-up orders to their raw totals."""
    customer, currency, orders_, gross, units, pre_orders, pre_gross, last = row
    seen = summed.get((customer, currency)) or _nothing(customer, currency)
    last_pre = [at for at in (seen.last_pre_at, last and utc(last)) if at is not None]
    summed[(customer, currency)] = replace(
        seen,
        orders=seen.orders + int(orders_),
        gross=seen.gross + int(gross),
        units=seen.units + int(units),
        pre_orders=seen.pre_orders + int(pre_orders),
        pre_net=seen.pre_net + int(pre_gross),
        last_pre_at=max(last_pre, default=None),
    )


def _add_refund(
    summed: dict[tuple[str, str], CustomerTotals],
    key: tuple[str, str],
    *,
    refunded: int = 0,
    pre_refunded: int = 0,
) -> None:
    """Take what was refunded of a rolled-up order from its customer's totals."""
    seen = summed.get(key) or _nothing(*key)
    summed[key] = replace(
        seen, refunded=seen.refunded + refunded, pre_net=seen.pre_net - pre_refunded
    )


def _nothing(customer: str, currency: str) -> CustomerTotals:
    return CustomerTotals(customer, currency, 0, 0, 0, 0, 0, 0, None)


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


_COLUMNS: dict[str, Any] = {
    "customer_id": String,
    "first_at": Timestamp,
    "pre_start": Timestamp,
    **{f"{part}_{edge}": Timestamp for part in ("pre", "post") for edge in ("since", "until")},
    **{f"{part}_{edge}": Date for part in ("pre", "post") for edge in ("first", "end")},
}
"""The exposed table's columns: each customer's first decision and pre-period start, and
the parts of the pre-period and of the outcome the rollups answer for (as times, and as
the days of their rows)."""


def _exposed(dialect: str) -> Any:
    """The JSON parameter as a table (customer_id, first_at, pre_start)."""
    given = bindparam("exposed", type_=String)
    if dialect == "sqlite":
        each = func.json_each(given).table_valued("value")
        # Materialized: read by more than one join, it would otherwise extract each column
        # from the JSON again for every row of each.
        return (
            select(*(func.json_extract(each.c.value, f"$.{name}").label(name) for name in _COLUMNS))
            .cte("exposed")
            .prefix_with("MATERIALIZED")
        )
    records = (
        func.jsonb_to_recordset(cast(given, JSONB))
        .table_valued(*(column(name, kind) for name, kind in _COLUMNS.items()))
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
                ~in_part(orders.c.created_at, exposed, "pre"),
                ~in_part(orders.c.created_at, exposed, "post"),
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
