"""What a decision reads about one customer: consents, purchases and recent offer events.

This is the API's hot path, so one statement per decision: the customer row, their
consents, their orders' stamp, their offer events and the offers decisions showed them
(impressions, from a covering index) come back as one UNION ALL whose first column tags
each row's part. On PostgreSQL a customer's order lines join that statement
when asked for (a round trip saved); on SQLite, where a statement costs no round trip, they
are read apart, one row per order with its lines' SKUs and sources as JSON arrays (a Python
row per line cost more than the join, and left more for the garbage collector).
Plain SQL on the driver connection: building SQLAlchemy statements per call costs ten
times the query itself on SQLite.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from itertools import chain, groupby, repeat
from operator import itemgetter
from typing import Any, NamedTuple

from orjson import loads
from sqlalchemy import Connection

from tactful.adapters.db.repositories._common import utc
from tactful.adapters.db.repositories._driver import sqlite_text
from tactful.domain.customers import Consent, ConsentPurpose, Customer, CustomerId
from tactful.domain.offers import OfferEvent, Purchase
from tactful.domain.offers.inputs import offer_event, shown_offer
from tactful.domain.offers.records import DecisionInputs as DecisionInputs
from tactful.domain.orders import LineSource

_CUSTOMER, _CONSENT, _STAMP, _EVENT, _LINE, _SHOWN = range(6)

# Columns: tag, a time, three texts, a text (JSON for events), a number; typed alike in
# every part so PostgreSQL can unite them. '?' placeholders become '%s' for psycopg.
_PARTS = (
    "SELECT 0, NULL, email, timezone, NULL, NULL, NULL FROM customers WHERE customer_id = ?",
    "SELECT 1, at, purpose, source, NULL, NULL, CASE WHEN granted THEN 1 ELSE 0 END "
    "FROM consents WHERE customer_id = ?",
    "SELECT 2, MAX(created_at), NULL, NULL, NULL, NULL, COUNT(*) FROM orders WHERE customer_id = ?",
    "SELECT 3, at, event_id, type, sku, CAST(properties AS TEXT), NULL FROM events "
    "WHERE customer_id = ? AND at >= ? "
    "AND type IN ('offer_shown', 'offer_accepted', 'offer_declined', 'offer_dismissed')",
    "SELECT 5, at, offer_id, kind, sku, for_sku, relevance FROM offer_impressions "
    "WHERE customer_id = ? AND at >= ?",
)
_LINES_FROM = (
    "FROM orders o JOIN order_lines l ON l.order_id = o.order_id "
    "WHERE o.customer_id = ? AND o.created_at <= ?"
)
_READS_SQL = " UNION ALL ".join(_PARTS)
_PG_READS_WITH_LINES_SQL = " UNION ALL ".join(
    (*_PARTS, f"SELECT 4, o.created_at, l.sku, l.source, NULL, NULL, NULL {_LINES_FROM}")
).replace("?", "%s")
_PG_READS_SQL = _READS_SQL.replace("?", "%s")
_PG_LINES_SQL = f"SELECT o.created_at, l.sku, l.source {_LINES_FROM}".replace("?", "%s")
# SQLite: one row per order, its lines' SKUs and sources as JSON arrays in line order (a
# Python row per line costs more than the join). Grouped in the order of the index on
# orders (customer_id, created_at, order_id), so SQLite needs no sort.
_SQLITE_LINES_SQL = (
    "SELECT o.rowid, o.created_at, json_group_array(l.sku), json_group_array(l.source) "
    f"{_LINES_FROM} GROUP BY o.created_at, o.order_id"
)

_TIME_AND_ID = itemgetter(1, 2)
_SOURCES = {s.value: s for s in LineSource}
_MAIN = LineSource.MAIN.value
_PURPOSES = {p.value: p for p in ConsentPurpose}

Stamp = tuple[int, datetime | None]


class CustomerReads(NamedTuple):
    """What `read_customer_inputs` found; `purchases` is None unless asked for.

    `stamp` is the customer's order count and newest order time: it changes with every order.
    """

    customer: Customer | None
    stamp: Stamp
    offer_events: tuple[OfferEvent, ...]
    purchases: tuple[Purchase, ...] | None


def read_customer_inputs(
    connection: Connection,
    customer_id: str,
    *,
    since: datetime,
    until: datetime,
    recent: datetime | None,
    purchases: bool,
) -> CustomerReads:
    """The customer, their orders' stamp, offer events since `since` and, if asked, purchases.

    Purchases are as `read_purchases` gives them, read after the stamp or with it (never
    before it, so purchases cached under a stamp hold at least the orders it counts).
    """
    raw: Any = connection.connection.driver_connection
    if connection.dialect.name == "sqlite":
        start = sqlite_text(since)
        rows = raw.execute(_READS_SQL, _params(customer_id, start)).fetchall()
        customer: Customer | None = None
        events: tuple[OfferEvent, ...] = ()
        if len(rows) == 1:  # the stamp alone (a new visitor): no customer, consent or event
            newest, count = rows[0][1], rows[0][6]
            stamp = (count, None if newest is None else _sqlite_time(newest))
        else:
            customer, stamp, events = _decoded(customer_id, rows, _sqlite_time)
        found = None
        if purchases:
            found = _sqlite_purchases(raw, customer_id, until, recent) if stamp[0] else ()
        return CustomerReads(customer, stamp, events, found)
    with raw.cursor() as cursor:
        params = _params(customer_id, utc(since))
        if purchases:
            cursor.execute(_PG_READS_WITH_LINES_SQL, (*params, customer_id, utc(until)))
        else:
            cursor.execute(_PG_READS_SQL, params)
        rows = cursor.fetchall()
    customer, stamp, events = _decoded(customer_id, rows, utc)
    if not purchases:
        return CustomerReads(customer, stamp, events, None)
    lines = [row[1:4] for row in rows if row[0] == _LINE]
    since_recent = None if recent is None else utc(recent)
    return CustomerReads(customer, stamp, events, _pg_purchases(lines, since_recent))


def _params(customer_id: str, since: Any) -> tuple[Any, ...]:
    """The union's parameters: the customer for each part, `since` for the two timed ones."""
    return (customer_id, customer_id, customer_id, customer_id, since, customer_id, since)


def _decoded(
    customer_id: str, rows: list[Any], time: Callable[[Any], datetime]
) -> tuple[Customer | None, Stamp, tuple[OfferEvent, ...]]:
    """Rows of the tagged union, decoded part by part (order lines left to the caller)."""
    parts: tuple[list[Any], ...] = ([], [], [], [], [], [])
    for row in rows:
        parts[row[0]].append(row)
    newest, count = parts[_STAMP][0][1], parts[_STAMP][0][6]
    return (
        _customer(customer_id, parts[_CUSTOMER], parts[_CONSENT], time),
        (int(count), None if newest is None else time(newest)),
        _offer_events(parts[_EVENT], parts[_SHOWN], time),
    )


def read_purchases(
    connection: Connection, customer_id: str, *, until: datetime, recent: datetime | None = None
) -> tuple[Purchase, ...]:
    """What the customer bought up to `until`: each SKU's first and (since `recent`) last buy.

    Purchases after `until` (a decision's now) are left out, as the offer engine ignores them.
    """
    raw: Any = connection.connection.driver_connection
    if connection.dialect.name == "sqlite":
        return _sqlite_purchases(raw, customer_id, until, recent)
    with raw.cursor() as cursor:
        cursor.execute(_PG_LINES_SQL, (customer_id, utc(until)))
        rows = cursor.fetchall()
    return _pg_purchases(rows, None if recent is None else utc(recent))


def decision_inputs(
    connection: Connection,
    customer_id: str,
    *,
    since: datetime,
    until: datetime,
    recent: datetime | None = None,
) -> DecisionInputs:
    """The customer (None if unknown), purchases up to `until`, offer events since `since`."""
    reads = read_customer_inputs(
        connection, customer_id, since=since, until=until, recent=recent, purchases=True
    )
    return DecisionInputs(reads.customer, reads.purchases or (), reads.offer_events)


def _sqlite_purchases(
    raw: Any, customer_id: str, until: datetime, recent: datetime | None
) -> tuple[Purchase, ...]:
    rows = raw.execute(_SQLITE_LINES_SQL, (customer_id, sqlite_text(until))).fetchall()
    rows.sort()  # stored order (rowid), which sets the purchases' order as it always has
    orders = [(at, loads(skus), loads(sources)) for _, at, skus, sources in rows]
    return summarise_purchases(
        orders, None if recent is None else sqlite_text(recent), _sqlite_time
    )


def _sqlite_time(text: str) -> datetime:
    """Stored naive UTC text as an aware datetime; SQLAlchemy's own format parsed directly."""
    if len(text) == 26:
        return datetime.fromisoformat(text + "+00:00")
    return utc(datetime.fromisoformat(text))


def _customer(
    customer_id: str, head: list[Any], consents: list[Any], time: Callable[[Any], datetime]
) -> Customer | None:
    """The customer row with their consents, oldest first, or None when never stored."""
    if not head:
        return None
    if not consents:
        return Customer(CustomerId(customer_id), head[0][2], head[0][3], ())
    consents.sort(key=lambda r: (r[1], r[2]))
    given = tuple(
        Consent(_PURPOSES.get(r[2]) or ConsentPurpose(r[2]), bool(r[6]), time(r[1]), r[3])
        for r in consents
    )
    return Customer(CustomerId(customer_id), head[0][2], head[0][3], given)


def _offer_events(
    events: list[Any], shown: list[Any], time: Callable[[Any], datetime]
) -> tuple[OfferEvent, ...]:
    """Offers shown to and answered by the customer, on every channel, oldest first.

    Event rows become `OfferEvent`s directly, as `OfferEvent.from_event` reads them,
    without an `Event` each; impression rows are offers shown by decisions. Ties in time
    go by event or offer id; a decision's impressions share one time, parsed once.
    """
    if not events and not shown:
        return ()
    rows = events + shown if events and shown else events or shown
    rows.sort(key=_TIME_AND_ID)
    found = []
    times: dict[Any, datetime] = {}
    for tag, at, ident, kind, sku, text, number in rows:
        moment = times.get(at)
        if moment is None:
            moment = times[at] = time(at)
        if tag == _SHOWN:
            found.append(shown_offer(sku, moment, kind, text, number, ident))
            continue
        props = (loads(text) if text is not None else None) or {}
        offer = None if sku is None else offer_event(kind, sku, moment, props)
        if offer is not None:
            found.append(offer)
    return tuple(found)


def _pg_purchases(lines: list[Any], recent: datetime | None) -> tuple[Purchase, ...]:
    """PostgreSQL's (created_at, sku, source) rows, taken a run of one order time at a time."""
    runs = [
        (at, [line[1] for line in run], [line[2] for line in run])
        for at, run in ((at, list(run)) for at, run in groupby(lines, itemgetter(0)))
    ]
    return summarise_purchases(runs, recent, utc)


def summarise_purchases(
    orders: list[tuple[Any, list[Any], list[Any]]], recent: Any, time: Callable[[Any], datetime]
) -> tuple[Purchase, ...]:
    """The first purchase of each SKU and source, and the last if it matters.

    That is all the offer engine reads of purchases: when a SKU was first bought (and so is
    owned), which were bought since `recent`, and when an upgrade was last bought. `orders`
    are (created_at, skus, sources) as stored, in the order the lines were read, which sets
    the purchases' order (first seen first, each last buy right after its first). Times are
    compared as they come (ISO text on SQLite sorts as time, `recent` is given alike).

    A customer has ~90 lines in ~5 orders, so the work is done an order at a time in C:
    dict updates, the oldest order written last for first buys, the newest for last buys.
    Plain SKUs are the keys when every line is a main one (the common case), sparing a tuple
    a line, and then only orders since `recent` can give a last buy worth keeping.
    """
    if not orders:
        return ()
    plain = all(sources.count(_MAIN) == len(sources) for _, _, sources in orders)
    keyed = [
        (at, skus if plain else list(zip(skus, sources, strict=True)))
        for at, skus, sources in orders
    ]
    first: dict[Any, Any] = dict.fromkeys(chain.from_iterable(keys for _, keys in keyed))
    keyed.sort(key=itemgetter(0))
    for at, keys in reversed(keyed):
        first.update(dict.fromkeys(keys, at))
    last: dict[Any, Any] = {}
    for at, keys in keyed:
        if not plain or recent is None or at >= recent:
            last.update(dict.fromkeys(keys, at))
    parsed = {at: time(at) for at, _ in keyed}
    if plain:
        main = LineSource.MAIN
        if not last:
            times = map(parsed.__getitem__, first.values())
            return tuple(map(Purchase, first, times, repeat(main), repeat(None)))
        found: list[Purchase] = []
        for sku, at in first.items():
            found.append(Purchase(sku, parsed[at], main, None))
            latest = last.get(sku, at)
            if latest != at:
                found.append(Purchase(sku, parsed[latest], main, None))
        return tuple(found)
    found = []
    for key, at in first.items():
        sku, source = key
        line_source = _SOURCES.get(source) or LineSource(source)
        found.append(Purchase(sku, parsed[at], line_source, None))
        latest = last[key]
        if latest != at and (
            recent is None or latest >= recent or line_source is LineSource.UPSELL
        ):
            found.append(Purchase(sku, parsed[latest], line_source, None))
    return tuple(found)
