"""The exposed customers' orders the rollups answer for (`rollup_orders`), and the orders
with refunds, read by order as `customer_totals.py` takes them raw.

The rolled read joins the exposed table (`customer_totals._exposed`), whose `pre_*` and
`post_*` columns say which part of each customer's pre-period and outcome the rollups hold;
its rows, and the refunds of the orders in those parts, are added to the raw totals of the
rest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select

from tactful.adapters.db.tables import order_lines, orders
from tactful.adapters.db.tables_measurement import rollup_orders
from tactful.adapters.db.tables_payments import order_refunds
from tactful.domain.refunds import RefundStatus

__all__ = ["in_part", "refunded_orders", "rolled_query"]


def in_part(placed_at: Any, exposed: Any, part: str) -> Any:
    """Whether an order placed at `placed_at` lies in the rolled-up `part` ("pre" or
    "post") of its customer's span."""
    return and_(placed_at >= exposed.c[f"{part}_since"], placed_at < exposed.c[f"{part}_until"])


def _on_days(exposed: Any, part: str) -> Any:
    day = rollup_orders.c.day
    return and_(day >= exposed.c[f"{part}_first"], day < exposed.c[f"{part}_end"])


def _when(condition: Any, value: Any) -> Any:
    return func.sum(case((condition, value), else_=0))


def rolled_query(exposed: Any) -> Any:
    """Per customer and currency: the rolled-up outcome's orders, gross and units, then the
    pre-period's orders, gross and latest order."""
    r = rollup_orders
    pre, post = _on_days(exposed, "pre"), _on_days(exposed, "post")
    return (
        select(
            exposed.c.customer_id,
            r.c.currency,
            _when(post, r.c.orders),
            _when(post, r.c.gross),
            _when(post, r.c.units),
            _when(pre, r.c.orders),
            _when(pre, r.c.gross),
            func.max(case((pre, r.c.last_at))),
        )
        .join(r, and_(r.c.customer_id == exposed.c.customer_id, or_(pre, post)))
        .group_by(exposed.c.customer_id, r.c.currency)
    )


def refunded_orders(since: datetime, until: datetime) -> Any:
    """Each order placed in [since, until) with refunds that did not fail (whenever they
    were made): its customer, time, currency and what was refunded. Few orders are."""
    return (
        select(
            orders.c.customer_id,
            orders.c.created_at,
            orders.c.currency,
            func.sum(order_refunds.c.amount_minor),
        )
        .join(orders, orders.c.order_id == order_refunds.c.order_id)
        .where(order_refunds.c.status != RefundStatus.FAILED.value)
        .where(orders.c.created_at >= since, orders.c.created_at < until)
        # As raw: an order without lines is not one of the customer's orders.
        .where(exists().where(order_lines.c.order_id == orders.c.order_id))
        .group_by(orders.c.order_id, orders.c.customer_id, orders.c.created_at, orders.c.currency)
    )
