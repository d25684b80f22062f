"""Trigger scans in SQL: who placed an order, left a cart, lapsed or sent a signal lately.

Each scan returns one hit per customer (their earliest in the window) and leaves out customers
already active in the sequence, so the scan of 100,000 customers is a few indexed queries. A
trigger the customer was already enrolled for is left out too: the worker scans the whole
look-back window every run, and enrolling it again would only be a conflict to skip (the soak's
worker re-inserted every customer of the week each run, as one statement of a new size each time).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, String, and_, exists, func, literal, select
from sqlalchemy.sql import Select

from tactful.adapters.db.email_triggers_derived import browsed_hits, renewal_hits
from tactful.adapters.db.tables import customers, events, order_lines, orders, products
from tactful.adapters.db.tables_email import email_enrolments
from tactful.domain.sequences import Trigger, TriggerType
from tactful.services.ports.email import TriggerHit

_SIGNALS = {
    TriggerType.WISHLIST_ADDED: ("wishlist_added",),
    TriggerType.USAGE_LIMIT_REACHED: ("limit_reached", "usage_threshold_reached"),
    TriggerType.TASK_COMPLETED: ("task_completed",),
}


def _not_active(sequence_id: str, customer_column: Any) -> Any:
    return ~exists().where(
        email_enrolments.c.sequence_id == sequence_id,
        email_enrolments.c.customer_id == customer_column,
        email_enrolments.c.state == "active",
    )


def _not_enrolled(sequence_id: str, customer_column: Any, trigger_key: Any) -> Any:
    return ~exists().where(
        email_enrolments.c.customer_id == customer_column,
        email_enrolments.c.sequence_id == sequence_id,
        email_enrolments.c.trigger_key == trigger_key,
    )


def _order_placed(trigger: Trigger, since: datetime, until: datetime) -> Select[Any]:
    query = select(orders.c.customer_id, orders.c.order_id, orders.c.created_at).where(
        orders.c.created_at > since,
        orders.c.created_at <= until,
        orders.c.customer_id.is_not(None),
    )
    filters = []
    if trigger.sku:
        filters.append(order_lines.c.sku == trigger.sku)
    if trigger.kind:
        filters.append(products.c.kind == trigger.kind)
    if trigger.category:
        filters.append(products.c.category == trigger.category)
    if filters:
        lines = (
            select(literal(1))
            .select_from(order_lines.join(products, products.c.sku == order_lines.c.sku))
            .where(order_lines.c.order_id == orders.c.order_id, *filters)
        )
        query = query.where(lines.exists())
    return query


def _cart_abandoned(trigger: Trigger, since: datetime, until: datetime) -> Select[Any]:
    later = events.alias("later")
    latest = until - trigger.after
    return select(events.c.customer_id, events.c.event_id, events.c.at).where(
        events.c.type.in_(("added_to_cart", "checkout_started")),
        events.c.at > since - trigger.after,
        events.c.at <= latest,
        ~exists().where(
            orders.c.customer_id == events.c.customer_id,
            orders.c.created_at >= events.c.at,
            orders.c.created_at <= until,
        ),
        ~exists().where(
            later.c.customer_id == events.c.customer_id,
            later.c.type.in_(("added_to_cart", "checkout_started")),
            later.c.at > events.c.at,
            later.c.at <= until,
        ),
    )


def _lapsed(trigger: Trigger, since: datetime, until: datetime) -> Select[Any]:
    last = func.max(orders.c.created_at)
    return (
        select(orders.c.customer_id, func.max(orders.c.order_id), last)
        .where(orders.c.customer_id.is_not(None))
        .group_by(orders.c.customer_id)
        .having(and_(last > since - trigger.after, last <= until - trigger.after))
    )


def _signal(trigger: Trigger, since: datetime, until: datetime) -> Select[Any]:
    query = select(events.c.customer_id, events.c.event_id, events.c.at).where(
        events.c.type.in_(_SIGNALS[trigger.type]), events.c.at > since, events.c.at <= until
    )
    return query.where(events.c.sku == trigger.sku) if trigger.sku else query


def trigger_hits(
    conn: Connection, sequence_id: str, trigger: Trigger, since: datetime, until: datetime
) -> list[TriggerHit]:
    """One hit per customer not active in `sequence_id`, for triggers in (since, until]."""
    if trigger.type is TriggerType.BROWSED:
        return browsed_hits(conn, sequence_id, trigger, since, until)
    if trigger.type is TriggerType.RENEWAL_UPCOMING:
        return renewal_hits(conn, sequence_id, trigger, since, until)
    builders = {
        TriggerType.ORDER_PLACED: _order_placed,
        TriggerType.CART_ABANDONED: _cart_abandoned,
        TriggerType.LAPSED: _lapsed,
    }
    build = builders.get(trigger.type, _signal)
    inner = build(trigger, since, until).subquery()
    customer, key, at = inner.c[0], inner.c[1], inner.c[2]
    prefix = trigger.type.value
    trigger_key = literal(f"{prefix}:", String) + key
    query = (
        select(customer, key, at, customers.c.timezone)
        .select_from(inner.outerjoin(customers, customers.c.customer_id == customer))
        .where(_not_active(sequence_id, customer))
        .where(_not_enrolled(sequence_id, customer, trigger_key))
        .order_by(at, key)
    )
    hits: dict[str, TriggerHit] = {}
    for row in conn.execute(query).all():
        if row[0] not in hits:
            hits[row[0]] = TriggerHit(row[0], f"{prefix}:{row[1]}", row[2], row[3] or "UTC")
    return list(hits.values())
