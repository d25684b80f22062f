"""What a decision reads about one customer: consents, purchases and recent offer events.

This is the API's hot path, so one statement per decision: the customer row, their
consents, their orders' stamp and their offer events come back as one UNION ALL whose first
column tags each row's part. On PostgreSQL a customer's order lines join that statement
when asked for (a round trip saved); on SQLite, where a statement costs no round trip, they
are read apart, as the union's wider rows cost more per line than a second statement.
Plain SQL on the driver connection: building SQLAlchemy statements per call costs ten
times the query itself on SQLite.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Connection

from tactful.adapters.db.repositories._common import utc
from tactful.domain.catalog import Sku
from tactful.domain.customers import Consent, ConsentPurpose, Customer, CustomerId
from tactful.domain.events import Event, EventId, EventType
from tactful.domain.offers import OfferEvent, Purchase
from tactful.domain.orders import LineSource

_CUSTOMER, _CONSENT, _STAMP, _EVENT, _LINE = range(5)

# Columns: tag, a time, three texts, JSON as text, a number; typed alike in every part so
# PostgreSQL can unite them. '?' placeholders become '%s' for psycopg.
_PARTS = (
    "SELECT 0, NULL, email, timezone, NULL, NULL, NULL FROM customers WHERE customer_id = ?",
    "SELECT 1, at, purpose, source, NULL, NULL, CASE WHEN granted THEN 1 ELSE 0 END "
    "FROM consents WHERE customer_id = ?",
    "SELECT 2, MAX(created_at), NULL, NULL, NULL, NULL, COUNT(*) FROM orders WHERE customer_id = ?",
    "SELECT 3, at, event_id, type, sku, CAST(properties AS TEXT), NULL FROM events "
    "WHERE customer_id = ? AND at >= ? "
    "AND type IN ('offer_shown', 'offer_accepted', 'offer_declined', 'offer_dismissed')",
)
_LINES_FROM = (
    "FROM orders o JOIN order_lines l ON l.order_id = o.order_id "
    "WHERE o.customer_id = ? AND o.created_at <= ?"
)
_READS_SQL = " UNION ALL ".join(_PARTS)
_PG_READS_WITH_LINES_SQL = " UNION ALL ".join(
    (*_PARTS, f"SELECT 4, o.created_at, l.sku, l.source, NULL, NULL, NULL {_LINES_FROM}")
).replace("?", "%s")
_LINES_SQL = f"SELECT o.created_at, l.sku, l.source {_LINES_FROM}"
_PG_READS_SQL = _READS_SQL.replace("?", "%s")
_PG_LINES_SQL = _LINES_SQL.replace("?", "%s")

_SOURCES = {s.value: s for s in LineSource}
_PURPOSES = {p.value: p for p in ConsentPurpose}

Stamp = tuple[int, datetime | None]


@dataclass(frozen=True, slots=True)
class DecisionInputs:
    """What a decision reads from storage about one customer."""

    customer: Customer | None
    purchases: tuple[Purchase, ...]
    offer_events: tuple[OfferEvent, ...]


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
        rows = raw.execute(_READS_SQL, (customer_id,) * 4 + (_text(since),)).fetchall()
        reads = _reads(customer_id, rows, _sqlite_time)
        if not purchases:
            return reads
        found: tuple[Purchase, ...] = ()
        if reads.stamp[0]:
            found = _sqlite_purchases(raw, customer_id, until, recent)
        return reads._replace(purchases=found)
    with raw.cursor() as cursor:
        if purchases:
            params = (customer_id,) * 4 + (utc(since), customer_id, utc(until))
            cursor.execute(_PG_READS_WITH_LINES_SQL, params)
        else:
            cursor.execute(_PG_READS_SQL, (customer_id,) * 4 + (utc(since),))
        rows = cursor.fetchall()
    reads = _reads(customer_id, rows, utc)
    if not purchases:
        return reads
    lines = [row[1:4] for row in rows if row[0] == _LINE]
    since_recent = None if recent is None else utc(recent)
    return reads._replace(purchases=_purchases(lines, since_recent, utc))


def _reads(customer_id: str, rows: list[Any], time: Callable[[Any], datetime]) -> CustomerReads:
    """Rows of the tagged union, decoded part by part (order lines left to the caller)."""
    parts: tuple[list[Any], ...] = ([], [], [], [], [])
    for row in rows:
        parts[row[0]].append(row)
    newest, count = parts[_STAMP][0][1], parts[_STAMP][0][6]
    return CustomerReads(
        _customer(customer_id, parts[_CUSTOMER], parts[_CONSENT], time),
        (int(count), None if newest is None else time(newest)),
        _offer_events(customer_id, parts[_EVENT], time),
        None,
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
    return _purchases(rows, None if recent is None else utc(recent), utc)


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
    rows = raw.execute(_LINES_SQL, (customer_id, _text(until))).fetchall()
    return _purchases(rows, None if recent is None else _text(recent), _sqlite_time)


def _text(moment: datetime) -> str:
    """A datetime as SQLite stores it: naive UTC text, the format SQLAlchemy writes.

    %-formatting takes half the time of `strftime`, `isoformat` or an f-string with specs.
    """
    d = moment if moment.tzinfo is UTC or moment.tzinfo is None else utc(moment)
    fields = (d.year, d.month, d.day, d.hour, d.minute, d.second, d.microsecond)
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % fields  # noqa: UP031


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
    customer_id: str, rows: list[Any], time: Callable[[Any], datetime]
) -> tuple[OfferEvent, ...]:
    """Offers shown to and answered by the customer, on every channel, oldest first."""
    if not rows:
        return ()
    rows.sort(key=lambda r: (r[1], r[2]))
    found = []
    for r in rows:
        event = Event(
            EventId(r[2]),
            EventType(r[3]),
            CustomerId(customer_id),
            time(r[1]),
            Sku(r[4]) if r[4] is not None else None,
            (orjson.loads(r[5]) if r[5] is not None else None) or {},
        )
        offer = OfferEvent.from_event(event)
        if offer is not None:
            found.append(offer)
    return tuple(found)


def _purchases(
    lines: Iterable[Any], recent: Any, time: Callable[[Any], datetime]
) -> tuple[Purchase, ...]:
    """The first purchase of each SKU and source, and the last if it matters.

    That is all the offer engine reads of purchases: when a SKU was first bought (and so is
    owned), which were bought since `recent`, and when an upgrade was last bought. Lines are
    (created_at, sku, source) as stored, compared as they come (ISO text on SQLite sorts as
    time, `recent` is given alike); only kept times are parsed, each once.
    """
    spans: dict[tuple[str, str], list[Any]] = {}
    for at, sku, source in lines:
        span = spans.get((sku, source))
        if span is None:
            spans[(sku, source)] = [at, at]
        elif at < span[0]:
            span[0] = at
        elif at > span[1]:
            span[1] = at
    parsed: dict[Any, datetime] = {}
    found: list[Purchase] = []
    for (sku, source), (first, last) in spans.items():
        line_source = _SOURCES.get(source) or LineSource(source)
        if (at := parsed.get(first)) is None:
            at = parsed[first] = time(first)
        found.append(Purchase(Sku(sku), at, line_source))
        if last != first and (recent is None or last >= recent or line_source is LineSource.UPSELL):
            if (at := parsed.get(last)) is None:
                at = parsed[last] = time(last)
            found.append(Purchase(Sku(sku), at, line_source))
    return tuple(found)
