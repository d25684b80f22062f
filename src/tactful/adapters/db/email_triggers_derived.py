"""Trigger scans that read rows then apply a pure rule: browsing streaks and renewals ahead.

`browsed` reads the product views of the span before the window and lets
`first_browse_hits` find the view that makes k related ones; `renewal_upcoming` reads
subscription purchases (and `renewal_due` events) and lets `renewals_due` pick the notices
that fall in the window. Customers already active in the sequence are left out, and so is a
hit already enrolled (a held-out customer, an enrolment that ended): the worker scans the whole
look-back window every run, and each run would offer the same enrolments again, only for the
insert to skip them.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, exists, func, select

from tactful.adapters.db.tables import customers, events, order_lines, orders, products
from tactful.adapters.db.tables_email import email_enrolments
from tactful.domain.sequences import Trigger
from tactful.domain.sequences.triggers import (
    Purchase,
    Renewal,
    View,
    first_browse_hits,
    next_renewals,
    renewals_due,
)
from tactful.services.ports.email import TriggerHit

_LONGEST_PERIOD = timedelta(days=370)
"""A year and a bit: purchases older than this renewed (or lapsed) already."""


def _not_active(sequence_id: str, customer_column: Any) -> Any:
    return ~exists().where(
        email_enrolments.c.sequence_id == sequence_id,
        email_enrolments.c.customer_id == customer_column,
        email_enrolments.c.state == "active",
    )


def _new_hits(conn: Connection, sequence_id: str, hits: list[TriggerHit]) -> list[TriggerHit]:
    """`hits` less those of customers active in the sequence and those enrolled already."""
    wanted = {hit.customer_id: hit for hit in hits}
    ids = sorted(wanted)
    for start in range(0, len(ids), 500):
        query = select(
            email_enrolments.c.customer_id, email_enrolments.c.trigger_key, email_enrolments.c.state
        ).where(
            email_enrolments.c.sequence_id == sequence_id,
            email_enrolments.c.customer_id.in_(ids[start : start + 500]),
        )
        for customer_id, trigger_key, state in conn.execute(query):
            hit = wanted.get(customer_id)
            if hit is not None and (state == "active" or hit.trigger_key == trigger_key):
                del wanted[customer_id]
    return [hit for hit in hits if hit.customer_id in wanted]


def _timezones(conn: Connection, customer_ids: list[str]) -> dict[str, str]:
    zones: dict[str, str] = {}
    for start in range(0, len(customer_ids), 500):
        chunk = customer_ids[start : start + 500]
        query = select(customers.c.customer_id, customers.c.timezone).where(
            customers.c.customer_id.in_(chunk)
        )
        zones.update({row[0]: row[1] or "UTC" for row in conn.execute(query)})
    return zones


def _with_timezones(conn: Connection, hits: list[TriggerHit]) -> list[TriggerHit]:
    """The hits with each customer's timezone (UTC for a customer without a row)."""
    zones = _timezones(conn, sorted(hit.customer_id for hit in hits))
    return [replace(hit, timezone=zones.get(hit.customer_id, "UTC")) for hit in hits]


def browsed_hits(
    conn: Connection, sequence_id: str, trigger: Trigger, since: datetime, until: datetime
) -> list[TriggerHit]:
    """One hit per customer: the view in (since, until] that makes `views` related views."""
    group = func.coalesce(products.c.category, events.c.sku)
    query = (
        select(events.c.customer_id, events.c.event_id, events.c.at, group)
        .select_from(events.outerjoin(products, products.c.sku == events.c.sku))
        .where(
            events.c.type == "product_viewed",
            events.c.sku.is_not(None),
            events.c.at > since - trigger.within,
            events.c.at <= until,
            _not_active(sequence_id, events.c.customer_id),
        )
    )
    for column, wanted in (
        (products.c.kind, trigger.kind),
        (products.c.category, trigger.category),
        (events.c.sku, trigger.sku),
    ):
        if wanted:
            query = query.where(column == wanted)
    views = [View(row[0], row[1], row[2], row[3]) for row in conn.execute(query)]
    first = first_browse_hits(views, trigger.views, trigger.within, since)
    found = [
        TriggerHit(c, f"browsed:{view.event_id}", view.at, "UTC")
        for c, view in sorted(first.items(), key=lambda item: (item[1].at, item[0]))
    ]
    return _with_timezones(conn, _new_hits(conn, sequence_id, found))


def _purchases(conn: Connection, trigger: Trigger, earliest: datetime, until: datetime) -> Any:
    query = (
        select(
            orders.c.customer_id,
            orders.c.order_id,
            order_lines.c.sku,
            orders.c.created_at,
            products.c.billing_period,
        )
        .select_from(
            orders.join(order_lines, order_lines.c.order_id == orders.c.order_id).join(
                products, products.c.sku == order_lines.c.sku
            )
        )
        .where(
            orders.c.customer_id.is_not(None),
            products.c.billing_period.is_not(None),
            orders.c.created_at > earliest,
            orders.c.created_at <= until,
        )
    )
    if trigger.sku:
        query = query.where(order_lines.c.sku == trigger.sku)
    if trigger.category:
        query = query.where(products.c.category == trigger.category)
    return conn.execute(query)


def _announced(conn: Connection, trigger: Trigger, earliest: datetime, until: datetime) -> Any:
    query = select(events.c.customer_id, events.c.event_id, events.c.at, events.c.properties).where(
        events.c.type == "renewal_due", events.c.at > earliest, events.c.at <= until
    )
    if trigger.sku:
        query = query.where(events.c.sku == trigger.sku)
    for customer_id, event_id, at, properties in conn.execute(query):
        renews_at = at
        text = (properties or {}).get("renews_at")
        if text:
            with contextlib.suppress(ValueError):
                renews_at = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
        if renews_at.tzinfo is None:
            renews_at = renews_at.replace(tzinfo=at.tzinfo)
        yield Renewal(customer_id, f"event:{event_id}", renews_at)


def renewal_hits(
    conn: Connection, sequence_id: str, trigger: Trigger, since: datetime, until: datetime
) -> list[TriggerHit]:
    """One hit per customer whose subscription renews `after` from a moment in (since, until]."""
    earliest = since + trigger.after - _LONGEST_PERIOD
    purchases = [Purchase(*row) for row in _purchases(conn, trigger, earliest, until)]
    renewals = next_renewals(purchases) + list(_announced(conn, trigger, earliest, until))
    due = renewals_due(renewals, trigger.after, since, until)
    found = [
        TriggerHit(c, f"renewal_upcoming:{renewal.key}", notice, "UTC")
        for c, (renewal, notice) in sorted(due.items(), key=lambda item: (item[1][1], item[0]))
    ]
    return _with_timezones(conn, _new_hits(conn, sequence_id, found))
