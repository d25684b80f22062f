"""Trigger scans over a memory state, the same rules as the SQL scans (adapters/db/email_triggers).

One hit per customer (their earliest in the window, ties by key), leaving out customers
already active in the sequence and triggers the customer was already enrolled for.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from tactful.adapters.memory._common import utc
from tactful.domain.orders import Order
from tactful.domain.sequences import Trigger, TriggerType
from tactful.domain.sequences.triggers import (
    Purchase,
    Renewal,
    View,
    first_browse_hits,
    next_renewals,
    renewals_due,
)
from tactful.services.ports.email import TriggerHit

if TYPE_CHECKING:
    from tactful.adapters.memory.database import MemoryState

_SIGNALS = {
    TriggerType.WISHLIST_ADDED: ("wishlist_added",),
    TriggerType.USAGE_LIMIT_REACHED: ("limit_reached", "usage_threshold_reached"),
    TriggerType.TASK_COMPLETED: ("task_completed",),
}
_CART = ("added_to_cart", "checkout_started")
_LONGEST_PERIOD = timedelta(days=370)

Candidate = tuple[str, str, datetime]
"""(customer id, key, when) before the one-per-customer rule."""


def _orders(state: MemoryState) -> list[Order]:
    return [o for o in state.orders.orders.values() if o.customer_id is not None]


def _line_matches(state: MemoryState, trigger: Trigger, sku: str) -> bool:
    product = state.catalog.products.get(sku)
    if trigger.sku and sku != trigger.sku:
        return False
    if trigger.kind and (product is None or product["kind"] != trigger.kind):
        return False
    return not trigger.category or (product is not None and product["category"] == trigger.category)


def _order_placed(
    state: MemoryState, trigger: Trigger, since: datetime, until: datetime
) -> Iterator[Candidate]:
    for order in _orders(state):
        if not since < utc(order.created_at) <= until:
            continue
        if (trigger.sku or trigger.kind or trigger.category) and not any(
            _line_matches(state, trigger, line.sku) for line in order.lines
        ):
            continue
        yield str(order.customer_id), order.order_id, utc(order.created_at)


def _events(state: MemoryState, types: tuple[str, ...]) -> list[tuple[str, str, datetime, str]]:
    return [
        (str(e.customer_id), e.event_id, utc(e.at), e.sku or "")
        for e in state.events.events.values()
        if str(e.type) in types and e.customer_id is not None
    ]


def _cart_abandoned(
    state: MemoryState, trigger: Trigger, since: datetime, until: datetime
) -> Iterator[Candidate]:
    carts = _events(state, _CART)
    ordered_at: dict[str, list[datetime]] = {}
    for order in _orders(state):
        ordered_at.setdefault(str(order.customer_id), []).append(utc(order.created_at))
    for customer, key, at, _ in carts:
        if not since - trigger.after < at <= until - trigger.after:
            continue
        if any(at <= when <= until for when in ordered_at.get(customer, ())):
            continue
        if any(c == customer and at < later <= until for c, _, later, _ in carts):
            continue
        yield customer, key, at


def _lapsed(
    state: MemoryState, trigger: Trigger, since: datetime, until: datetime
) -> Iterator[Candidate]:
    latest: dict[str, tuple[datetime, str]] = {}
    for order in _orders(state):
        customer, at = str(order.customer_id), utc(order.created_at)
        known = latest.get(customer)
        if known is None:
            latest[customer] = (at, order.order_id)
        else:
            latest[customer] = (max(known[0], at), max(known[1], order.order_id))
    for customer, (last, key) in latest.items():
        if since - trigger.after < last <= until - trigger.after:
            yield customer, key, last


def _signal(
    state: MemoryState, trigger: Trigger, since: datetime, until: datetime
) -> Iterator[Candidate]:
    for customer, key, at, sku in _events(state, _SIGNALS[trigger.type]):
        if since < at <= until and (not trigger.sku or sku == trigger.sku):
            yield customer, key, at


def _browsed(
    state: MemoryState, trigger: Trigger, since: datetime, until: datetime
) -> Iterator[Candidate]:
    views = []
    for customer, key, at, sku in _events(state, ("product_viewed",)):
        product = state.catalog.products.get(sku) if sku else None
        if not sku or not since - trigger.within < at <= until:
            continue
        if trigger.sku and sku != trigger.sku:
            continue
        if (trigger.kind or trigger.category) and not _line_matches(state, trigger, sku):
            continue
        group = (product or {}).get("category") or sku
        views.append(View(customer, key, at, group))
    for customer, view in first_browse_hits(views, trigger.views, trigger.within, since).items():
        yield customer, view.event_id, view.at


def _renewals(
    state: MemoryState, trigger: Trigger, earliest: datetime, until: datetime
) -> list[Renewal]:
    purchases = []
    for order in _orders(state):
        if not earliest < utc(order.created_at) <= until:
            continue
        for line in order.lines:
            product = state.catalog.products.get(line.sku)
            if product is None or not product.get("billing_period"):
                continue
            if trigger.sku and line.sku != trigger.sku:
                continue
            if trigger.category and product["category"] != trigger.category:
                continue
            purchases.append(
                Purchase(
                    str(order.customer_id),
                    order.order_id,
                    line.sku,
                    utc(order.created_at),
                    product["billing_period"],
                )
            )
    renewals = next_renewals(purchases)
    for event in state.events.events.values():
        at = utc(event.at)
        if str(event.type) != "renewal_due" or not earliest < at <= until:
            continue
        if trigger.sku and event.sku != trigger.sku:
            continue
        renews_at = at
        text = (event.properties or {}).get("renews_at")
        if text:
            with contextlib.suppress(ValueError):
                renews_at = utc(datetime.fromisoformat(str(text).replace("Z", "+00:00")))
        renewals.append(Renewal(str(event.customer_id), f"event:{event.event_id}", renews_at))
    return renewals


def _renewal_upcoming(
    state: MemoryState, trigger: Trigger, since: datetime, until: datetime
) -> Iterator[Candidate]:
    earliest = since + trigger.after - _LONGEST_PERIOD
    due = renewals_due(_renewals(state, trigger, earliest, until), trigger.after, since, until)
    for customer, (renewal, notice) in due.items():
        yield customer, renewal.key, notice


_SCANS: dict[
    TriggerType, Callable[[MemoryState, Trigger, datetime, datetime], Iterator[Candidate]]
] = {
    TriggerType.ORDER_PLACED: _order_placed,
    TriggerType.CART_ABANDONED: _cart_abandoned,
    TriggerType.LAPSED: _lapsed,
    TriggerType.BROWSED: _browsed,
    TriggerType.RENEWAL_UPCOMING: _renewal_upcoming,
}


def memory_trigger_hits(
    state: MemoryState, sequence_id: str, trigger: Trigger, since: datetime, until: datetime
) -> list[TriggerHit]:
    """One hit per customer not active in `sequence_id`, for triggers in (since, until]."""
    since, until = utc(since), utc(until)
    mine = [e for e in state.email.enrolments.values() if e["sequence_id"] == sequence_id]
    active = {e["customer_id"] for e in mine if e["state"] == "active"}
    enrolled = {(e["customer_id"], e["enrolment"].trigger_key) for e in mine}
    scan = _SCANS.get(trigger.type, _signal)
    prefix = trigger.type.value
    found = sorted(
        (at, key, customer)
        for customer, key, at in scan(state, trigger, since, until)
        if customer not in active and (customer, f"{prefix}:{key}") not in enrolled
    )
    hits: dict[str, TriggerHit] = {}
    for at, key, customer in found:
        if customer in hits:
            continue
        row = state.customers.customers.get(customer)
        timezone = (row or {}).get("timezone") or "UTC"
        hits[customer] = TriggerHit(customer, f"{prefix}:{key}", at, timezone)
    return list(hits.values())
