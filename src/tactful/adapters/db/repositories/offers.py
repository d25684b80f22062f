"""The decision log: every decision (held out or not), each offer shown, each response."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import orjson
from sqlalchemy import Connection, func, select

from tactful.adapters.db.repositories._common import utc
from tactful.adapters.db.repositories.events import insert_ignoring
from tactful.adapters.db.tables import events
from tactful.adapters.db.tables_offers import decisions, offer_impressions, offer_responses
from tactful.domain.catalog import Sku
from tactful.domain.customers import Consent, ConsentPurpose, Customer, CustomerId
from tactful.domain.events import Event, EventId, EventType
from tactful.domain.money import Money
from tactful.domain.offers import OfferEvent, Purchase
from tactful.domain.orders import LineSource


class Response(StrEnum):
    """What a customer did with an offer."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    DISMISSED = "dismissed"

    @property
    def event_type(self) -> EventType:
        """The event that feeds cooldowns on every channel."""
        return EventType(f"offer_{self.value}")


@dataclass(frozen=True, slots=True)
class Impression:
    """One offer shown in one decision."""

    decision_id: str
    offer_id: str
    position: int
    customer_id: str
    kind: str
    sku: str
    for_sku: str | None
    format: str
    price: Money
    at: datetime
    relevance: float | None = None
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """A decision as logged: enough to measure incremental revenue of offers later."""

    decision_id: str
    customer_id: str
    moment: str
    at: datetime
    held_out: bool
    cart: Sequence[Mapping[str, Any]]
    impressions: Sequence[Impression] = field(default_factory=tuple)
    channel: str | None = None
    model_version: str | None = None


def _event_properties(impression: Impression) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "offer_id": impression.offer_id,
        "decision_id": impression.decision_id,
        "kind": impression.kind,
        "for_sku": impression.for_sku,
        "channel": impression.channel or "api",
    }
    if impression.relevance is not None:
        properties["relevance"] = impression.relevance
    return properties


def _event_row(
    impression: Impression, kind: EventType, event_id: str, at: datetime
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "type": kind.value,
        "customer_id": impression.customer_id,
        "at": utc(at),
        "sku": impression.sku,
        "properties": _event_properties(impression),
    }


class _Driver:
    """Plain SQL on the connection's driver: '?' placeholders, SQLite text decoded."""

    def __init__(self, connection: Connection) -> None:
        self.sqlite = connection.dialect.name == "sqlite"
        self.raw: Any = connection.connection.driver_connection
        self._times: dict[Any, datetime] = {}

    def rows(self, sql: str, *params: Any) -> list[Any]:
        if self.sqlite:
            return list(self.raw.execute(sql, params).fetchall())
        with self.raw.cursor() as cursor:
            cursor.execute(sql.replace("?", "%s"), params)
            return list(cursor.fetchall())

    def time(self, value: Any) -> datetime:
        """A stored time as aware UTC; repeated values (one order's lines) parsed once."""
        found = self._times.get(value)
        if found is None:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else value
            found = self._times[value] = utc(moment)
        return found

    def bound_time(self, value: datetime) -> Any:
        """A datetime as the column stores it (naive UTC text on SQLite)."""
        moment = utc(value)
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else moment

    def json(self, value: Any) -> Any:
        return orjson.loads(value) if isinstance(value, str | bytes) else value

    def bound_json(self, value: Any) -> Any:
        if self.sqlite:
            return _dumps(value)
        from psycopg.types.json import Json

        return Json(value, dumps=_dumps)

    def many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.sqlite:
            self.raw.executemany(sql, rows)
            return
        with self.raw.cursor() as cursor:
            cursor.executemany(sql.replace("?", "%s"), rows)


def _plain(value: Any) -> Any:
    """orjson's fallback for numbers it does not know (numpy scalars, float subclasses)."""
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, float):
        return float(value)
    if isinstance(value, int):
        return int(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _dumps(value: Any) -> str:
    return orjson.dumps(value, default=_plain).decode()


_INSERT_DECISION = (
    "INSERT INTO decisions (decision_id, customer_id, moment, channel, at, held_out, "
    "offer_count, cart, model_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_IMPRESSION = (
    "INSERT INTO offer_impressions (decision_id, offer_id, position, customer_id, kind, sku, "
    "for_sku, format, price, currency, relevance, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_EVENT = (
    "INSERT INTO events (event_id, type, customer_id, at, sku, properties) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_SHOWN = EventType.OFFER_SHOWN.value


@dataclass
class _Rows:
    """The rows of a batch of decisions, one list per table, for one executemany each."""

    decisions: list[tuple[Any, ...]] = field(default_factory=list)
    impressions: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)

    def add(self, driver: _Driver, record: DecisionRecord) -> None:
        at = driver.bound_time(record.at)
        cart = driver.bound_json([dict(line) for line in record.cart])
        self.decisions.append(
            (
                record.decision_id,
                record.customer_id,
                record.moment,
                record.channel,
                at,
                record.held_out,
                len(record.impressions),
                cart,
                record.model_version,
            )
        )
        for i in record.impressions:
            shown_at = at if i.at == record.at else driver.bound_time(i.at)
            self.impressions.append(
                (
                    i.decision_id,
                    i.offer_id,
                    i.position,
                    i.customer_id,
                    i.kind,
                    i.sku,
                    i.for_sku,
                    i.format,
                    i.price.amount,
                    i.price.currency,
                    i.relevance,
                    shown_at,
                )
            )
            properties = driver.bound_json(_event_properties(i))
            event_id = f"{i.decision_id}:{i.offer_id}:shown"
            self.events.append((event_id, _SHOWN, i.customer_id, shown_at, i.sku, properties))


def save_decisions(connection: Connection, records: Sequence[DecisionRecord]) -> None:
    """Log decisions, their impressions and offer_shown events (caller's transaction).

    Plain SQL on the driver, one executemany per table for the whole batch: this is the
    API's hot path, and the decision log writes many concurrent decisions at once.
    """
    driver = _Driver(connection)
    rows = _Rows()
    for record in records:
        rows.add(driver, record)
    driver.many(_INSERT_DECISION, rows.decisions)
    driver.many(_INSERT_IMPRESSION, rows.impressions)
    driver.many(_INSERT_EVENT, rows.events)


def save_decision(connection: Connection, record: DecisionRecord) -> None:
    """Log one decision with its impressions and offer_shown events (caller's transaction)."""
    save_decisions(connection, (record,))


def get_impression(connection: Connection, decision_id: str, offer_id: str) -> Impression | None:
    """The offer shown in a decision, or None when that decision never showed it."""
    query = (
        select(offer_impressions, decisions.c.channel)
        .join(decisions, decisions.c.decision_id == offer_impressions.c.decision_id)
        .where(offer_impressions.c.decision_id == decision_id)
        .where(offer_impressions.c.offer_id == offer_id)
    )
    row = connection.execute(query).first()
    if row is None:
        return None
    return Impression(
        decision_id=row.decision_id,
        offer_id=row.offer_id,
        position=row.position,
        customer_id=row.customer_id,
        kind=row.kind,
        sku=row.sku,
        for_sku=row.for_sku,
        format=row.format,
        price=Money(int(row.price), row.currency),
        at=utc(row.at),
        relevance=row.relevance,
        channel=row.channel,
    )


def decision_exists(connection: Connection, decision_id: str) -> bool:
    """Whether a decision with this id was logged."""
    query = select(decisions.c.decision_id).where(decisions.c.decision_id == decision_id)
    return connection.execute(query).first() is not None


def save_response(
    connection: Connection, impression: Impression, response: Response, *, at: datetime
) -> bool:
    """Store a response once (and its offer_* event); False when it was already stored."""
    row = {
        "decision_id": impression.decision_id,
        "offer_id": impression.offer_id,
        "response": response.value,
        "customer_id": impression.customer_id,
        "at": utc(at),
    }
    statement = insert_ignoring(connection, offer_responses).returning(offer_responses.c.offer_id)
    if connection.execute(statement, row).first() is None:
        return False
    event_id = f"{impression.decision_id}:{impression.offer_id}:{response.value}"
    event = _event_row(impression, response.event_type, event_id, at)
    connection.execute(insert_ignoring(connection, events), event)
    return True


def count_decisions(connection: Connection, *, held_out: bool | None = None) -> int:
    """How many decisions are logged; for checks and benchmarks."""
    query = select(func.count()).select_from(decisions)
    if held_out is not None:
        query = query.where(decisions.c.held_out == held_out)
    return int(connection.execute(query).scalar_one())


def count_impressions(connection: Connection) -> int:
    """How many offers were shown in total; for checks and benchmarks."""
    query = select(func.count()).select_from(offer_impressions)
    return int(connection.execute(query).scalar_one())


# ---------------------------------------------------------------- hot path: decision inputs
# A decision reads three small indexed result sets. These run as plain SQL on the driver
# connection (inside the caller's transaction): building SQLAlchemy statements per call
# costs ten times the query itself on SQLite, and decisions are the one hot path.

_CUSTOMER_SQL = (
    "SELECT c.email, c.timezone, k.purpose, k.granted, k.at, k.source FROM customers c "
    "LEFT JOIN consents k ON k.customer_id = c.customer_id WHERE c.customer_id = ? "
    "ORDER BY k.at"
)
_PURCHASES_SQL = (
    "SELECT l.sku, l.source, MIN(o.created_at), MAX(o.created_at) FROM orders o "
    "JOIN order_lines l ON l.order_id = o.order_id WHERE o.customer_id = ? "
    "AND o.created_at <= ? GROUP BY l.sku, l.source"
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


def _customer(driver: _Driver, customer_id: str) -> Customer | None:
    rows = driver.rows(_CUSTOMER_SQL, customer_id)
    if not rows:
        return None
    consents = tuple(
        Consent(ConsentPurpose(r[2]), bool(r[3]), driver.time(r[4]), r[5])
        for r in rows
        if r[2] is not None
    )
    return Customer(CustomerId(customer_id), rows[0][0], rows[0][1], consents)


def _purchases(driver: _Driver, customer_id: str, until: datetime) -> tuple[Purchase, ...]:
    """First and last purchase of each SKU and source up to `until`.

    All the offer engine reads of purchases (first time bought, ownership, most recent,
    last upgrade), in one row per SKU instead of one per order line.
    """
    found: list[Purchase] = []
    for sku, source, first, last in driver.rows(
        _PURCHASES_SQL, customer_id, driver.bound_time(until)
    ):
        line_source = _SOURCES.get(source) or LineSource(source)
        found.append(Purchase(Sku(sku), driver.time(first), line_source))
        if last != first:
            found.append(Purchase(Sku(sku), driver.time(last), line_source))
    return tuple(found)


def _offer_events(driver: _Driver, customer_id: str, since: datetime) -> tuple[OfferEvent, ...]:
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


def decision_inputs(
    connection: Connection, customer_id: str, *, since: datetime, until: datetime
) -> DecisionInputs:
    """The customer (None if unknown), what they bought up to `until`, offer events since `since`.

    Purchases after `until` (the decision's now) are left out, as the offer engine ignores them.
    """
    driver = _Driver(connection)
    return DecisionInputs(
        _customer(driver, customer_id),
        _purchases(driver, customer_id, until),
        _offer_events(driver, customer_id, since),
    )
