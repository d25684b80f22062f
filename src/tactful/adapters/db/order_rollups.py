"""Each customer's orders per UTC day (`rollup_orders`), written with the other rollups and
read by `tactful report`'s per-customer order totals for the days they hold.

A day's row holds its orders, gross and units per customer and currency, and its latest
order's time, summed from the orders as the raw totals sum them (`placed_orders`); refunds
are not rolled up: the totals read them by order from `order_refunds`, whenever they were
made, so a refund after the day was rolled counts as it does raw.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Connection, Date, cast, delete, func, insert, select

from tactful.adapters.db.repositories._common import utc
from tactful.adapters.db.tables import order_lines, orders
from tactful.adapters.db.tables_measurement import rollup_orders

__all__ = ["Covered", "covered", "placed_orders", "roll_orders"]


def placed_orders() -> Any:
    """Each order of a known customer with its gross and units (grouped by order: lines
    joined), as a select to filter and group further."""
    return (
        select(
            orders.c.order_id,
            orders.c.customer_id,
            orders.c.created_at,
            orders.c.currency,
            func.sum(order_lines.c.quantity * order_lines.c.unit_price).label("gross"),
            func.sum(order_lines.c.quantity).label("units"),
        )
        .join(order_lines, order_lines.c.order_id == orders.c.order_id)
        .where(orders.c.customer_id.is_not(None))
        .group_by(orders.c.order_id, orders.c.customer_id, orders.c.created_at, orders.c.currency)
    )


def roll_orders(
    connection: Connection, *, first_day: date, end_day: date, until: datetime | None = None
) -> None:
    """Replace the rows of the days [first_day, end_day) with the orders placed from the
    first's midnight to `until` (default: end_day's midnight; a time in the last day rolls up
    that day's hours so far)."""
    r = rollup_orders
    since = datetime.combine(first_day, time(0), tzinfo=UTC)
    until = until or datetime.combine(end_day, time(0), tzinfo=UTC)
    connection.execute(delete(r).where(r.c.day >= first_day, r.c.day < end_day))
    placed = (
        placed_orders()
        .where(orders.c.created_at >= utc(since), orders.c.created_at < utc(until))
        .subquery()
    )
    if connection.dialect.name == "sqlite":
        day: Any = func.date(placed.c.created_at)  # stored as UTC text
    else:
        day = cast(func.timezone("UTC", placed.c.created_at), Date)
    rows = select(
        placed.c.customer_id,
        day,
        placed.c.currency,
        func.count(),
        func.sum(placed.c.gross),
        func.sum(placed.c.units),
        func.max(placed.c.created_at),
    ).group_by(placed.c.customer_id, day, placed.c.currency)
    names = ("customer_id", "day", "currency", "orders", "gross", "units", "last_at")
    connection.execute(insert(rollup_orders).from_select(names, rows))


class Covered(NamedTuple):
    """The part of a span the order rollups answer for: [since, until) as times, and the
    days of their rows [first_day, end_day); empty when since == until."""

    since: datetime
    until: datetime
    first_day: date
    end_day: date


def covered(since: datetime, until: datetime, rolled: tuple[datetime, datetime]) -> Covered:
    """The rows of `rolled` ([a midnight, the time the rollups hold orders until)) that lie
    wholly within [since, until): whole days, and the last day's hours when the span holds
    them all."""
    start, end = rolled
    low = max(start, _midnight_on_or_after(since))
    high = end if until >= end else _midnight_before(until)
    if high <= low:
        return Covered(since, since, low.date(), low.date())
    last = high.date() if high.time() == time(0) else high.date() + timedelta(days=1)
    return Covered(low, high, low.date(), last)


def _midnight_before(moment: datetime) -> datetime:
    return datetime.combine(moment.astimezone(UTC).date(), time(0), tzinfo=UTC)


def _midnight_on_or_after(moment: datetime) -> datetime:
    midnight = _midnight_before(moment)
    return midnight if midnight == moment else midnight + timedelta(days=1)
