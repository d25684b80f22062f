"""What a decision reads about one customer: consents, purchases and recent offer events.

Three small indexed result sets per decision, read as plain SQL on the driver connection
(see `_driver`): this is the API's hot path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from tactful.adapters.db.repositories._driver import Driver
from tactful.domain.catalog import Sku
from tactful.domain.customers import Consent, ConsentPurpose, Customer, CustomerId
from tactful.domain.events import Event, EventId, EventType
from tactful.domain.offers import OfferEvent, Purchase
from tactful.domain.orders import LineSource

# A decision reads three small indexed result sets. These run as plain SQL on the driver
# connection (inside the caller's transaction): building SQLAlchemy statements per call
# costs ten times the query itself on SQLite, and decisions are the one hot path.

_CUSTOMER_SQL = (
    "SELECT c.email, c.timezone, k.purpose, k.granted, k.at, k.source FROM customers c "
    "LEFT JOIN consents k ON k.customer_id = c.customer_id WHERE c.customer_id = ? "
    "ORDER BY k.at"
)
_PURCHASES_SQL = (
    "SELECT o.created_at, l.sku, l.source FROM orders o "
    "JOIN order_lines l ON l.order_id = o.order_id WHERE o.customer_id = ? AND o.created_at <= ?"
)
_SOURCES = {s.value: s for s in LineSource}
_OFFER_EVENTS_SQL = (
    "SELECT event_id, type, at, sku, properties FROM events WHERE customer_id = ? AND at >= ? "
    "AND type IN ('offer_shown', 'offer_accepted', 'offer_declined', 'offer_dismissed') "
    "ORDER BY at"
)


@dataclass(frozen=True, slots=True)
class DecisionInputs:
    """What a decision reads from storage about one customer."""

    customer: Customer | None
    purchases: tuple[Purchase, ...]
    offer_events: tuple[OfferEvent, ...]


def _customer(driver: Driver, customer_id: str) -> Customer | None:
    rows = driver.rows(_CUSTOMER_SQL, customer_id)
    if not rows:
        return None
    consents = tuple(
        Consent(ConsentPurpose(r[2]), bool(r[3]), driver.time(r[4]), r[5])
        for r in rows
        if r[2] is not None
    )
    return Customer(CustomerId(customer_id), rows[0][0], rows[0][1], consents)


def _purchases(
    driver: Driver, customer_id: str, until: datetime, recent: datetime | None
) -> tuple[Purchase, ...]:
    """The first purchase of each SKU and source up to `until`, and the last if it matters.

    That is all the offer engine reads of purchases: when a SKU was first bought (and so is
    owned), which were bought since `recent`, and when an upgrade was last bought. Stored
    times are compared as they come (ISO text on SQLite sorts as time); only kept ones are
    parsed.
    """
    spans: dict[tuple[str, str], list[Any]] = {}
    for at, sku, source in driver.rows(_PURCHASES_SQL, customer_id, driver.bound_time(until)):
        span = spans.get((sku, source))
        if span is None:
            spans[(sku, source)] = [at, at]
        elif at < span[0]:
            span[0] = at
        elif at > span[1]:
            span[1] = at
    since = None if recent is None else driver.bound_time(recent)
    found: list[Purchase] = []
    for (sku, source), (first, last) in spans.items():
        line_source = _SOURCES.get(source) or LineSource(source)
        found.append(Purchase(Sku(sku), driver.time(first), line_source))
        if last != first and (since is None or last >= since or line_source is LineSource.UPSELL):
            found.append(Purchase(Sku(sku), driver.time(last), line_source))
    return tuple(found)


def _offer_events(driver: Driver, customer_id: str, since: datetime) -> tuple[OfferEvent, ...]:
    found = []
    for r in driver.rows(_OFFER_EVENTS_SQL, customer_id, driver.bound_time(since)):
        event = Event(
            EventId(r[0]),
            EventType(r[1]),
            CustomerId(customer_id),
            driver.time(r[2]),
            Sku(r[3]) if r[3] is not None else None,
            driver.json(r[4]) or {},
        )
        offer = OfferEvent.from_event(event)
        if offer is not None:
            found.append(offer)
    return tuple(found)


_STAMP_SQL = "SELECT COUNT(*), MAX(created_at) FROM orders WHERE customer_id = ?"


def read_customer(connection: Connection, customer_id: str) -> Customer | None:
    """The customer with their consents, or None when never stored."""
    return _customer(Driver(connection), customer_id)


def read_purchases(
    connection: Connection, customer_id: str, *, until: datetime, recent: datetime | None = None
) -> tuple[Purchase, ...]:
    """What the customer bought up to `until`: each SKU's first and (since `recent`) last buy.

    Purchases after `until` (a decision's now) are left out, as the offer engine ignores them.
    """
    return _purchases(Driver(connection), customer_id, until, recent)


def purchases_stamp(connection: Connection, customer_id: str) -> tuple[int, datetime | None]:
    """How many orders the customer has and the newest one's time: changes with every order."""
    driver = Driver(connection)
    count, newest = driver.rows(_STAMP_SQL, customer_id)[0]
    return int(count), None if newest is None else driver.time(newest)


def read_offer_events(
    connection: Connection, customer_id: str, *, since: datetime
) -> tuple[OfferEvent, ...]:
    """Offers shown to and answered by the customer since `since`, on every channel."""
    return _offer_events(Driver(connection), customer_id, since)


def decision_inputs(
    connection: Connection,
    customer_id: str,
    *,
    since: datetime,
    until: datetime,
    recent: datetime | None = None,
) -> DecisionInputs:
    """The customer (None if unknown), purchases up to `until`, offer events since `since`."""
    return DecisionInputs(
        read_customer(connection, customer_id),
        read_purchases(connection, customer_id, until=until, recent=recent),
        read_offer_events(connection, customer_id, since=since),
    )
