"""A customer's whole order history as the email moment reads it: each order's time and SKUs.

Read only for moment `email` (the worker's pace, not the API's hot path), so a plain
SQLAlchemy statement over the index on orders (customer_id, created_at, order_id).
"""

from __future__ import annotations

from datetime import datetime
from itertools import groupby
from operator import itemgetter

from sqlalchemy import Connection, select

from tactful.adapters.db.repositories._common import utc
from tactful.adapters.db.tables import order_lines, orders
from tactful.domain.catalog import Sku
from tactful.domain.offers import PastOrder


def read_past_orders(
    connection: Connection, customer_id: str, *, until: datetime
) -> tuple[PastOrder, ...]:
    """The customer's orders up to `until`, oldest first, each with its lines' SKUs."""
    query = (
        select(orders.c.order_id, orders.c.created_at, order_lines.c.sku)
        .join(order_lines, order_lines.c.order_id == orders.c.order_id)
        .where(orders.c.customer_id == customer_id, orders.c.created_at <= utc(until))
        .order_by(orders.c.created_at, orders.c.order_id, order_lines.c.line_no)
    )
    rows = connection.execute(query).all()
    return tuple(
        PastOrder(utc(run[0][1]), tuple(Sku(row[2]) for row in run))
        for run in (list(group) for _, group in groupby(rows, itemgetter(0)))
    )
