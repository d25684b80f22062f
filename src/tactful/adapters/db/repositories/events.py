"""Behavioural events: stored once per id, read back per customer for cooldowns and budgets."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Table, func, select

from tactful.adapters.db.repositories._common import dialect_insert, utc
from tactful.adapters.db.tables import events
from tactful.domain.catalog import Sku
from tactful.domain.counts import EventCounts as EventCounts
from tactful.domain.customers import CustomerId
from tactful.domain.events import Event, EventId, EventType

OFFER_EVENT_TYPES = (
    EventType.OFFER_SHOWN,
    EventType.OFFER_ACCEPTED,
    EventType.OFFER_DECLINED,
    EventType.OFFER_DISMISSED,
)


def insert_ignoring(connection: Connection, table: Table) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING for the connection's dialect."""
    return dialect_insert(connection, table).on_conflict_do_nothing()


def _row(event: Event) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "type": event.type.value,
        "customer_id": event.customer_id,
        "at": utc(event.at),
        "sku": event.sku,
        "properties": dict(event.properties),
    }


def insert_events(connection: Connection, batch: Iterable[Event]) -> EventCounts:
    """Store each event once per id; repeats (in the batch or stored before) are counted."""
    unique: dict[str, dict[str, Any]] = {}
    total = 0
    for event in batch:
        total += 1
        unique.setdefault(event.event_id, _row(event))
    if not unique:
        return EventCounts(0, 0)
    statement = insert_ignoring(connection, events).returning(events.c.event_id)
    inserted = connection.execute(statement, list(unique.values())).all()
    return EventCounts(accepted=len(inserted), duplicate=total - len(inserted))


def _event(row: Row[Any]) -> Event:
    return Event(
        event_id=EventId(row.event_id),
        type=EventType(row.type),
        customer_id=CustomerId(row.customer_id),
        at=utc(row.at),
        sku=Sku(row.sku) if row.sku is not None else None,
        properties=row.properties or {},
    )


def events_of(
    connection: Connection,
    customer_id: str,
    *,
    since: datetime | None = None,
    types: Sequence[EventType] | None = None,
) -> list[Event]:
    """A customer's events, oldest first, optionally only recent ones of some types."""
    query = select(events).where(events.c.customer_id == customer_id)
    if since is not None:
        query = query.where(events.c.at >= utc(since))
    if types is not None:
        query = query.where(events.c.type.in_([t.value for t in types]))
    rows = connection.execute(query.order_by(events.c.at, events.c.event_id))
    return [_event(row) for row in rows]


def recent_offer_events(
    connection: Connection, customer_id: str, *, since: datetime
) -> list[Event]:
    """Offers shown to and answered by a customer since `since`, on every channel."""
    return events_of(connection, customer_id, since=since, types=OFFER_EVENT_TYPES)


def count_events(connection: Connection, *, of_type: EventType | None = None) -> int:
    """How many events are stored (of one type); for checks and benchmarks."""
    query = select(func.count()).select_from(events)
    if of_type is not None:
        query = query.where(events.c.type == of_type.value)
    return int(connection.execute(query).scalar_one())


class SqlEventStore:
    """`tactful.services.ports.EventStore` on one SQLAlchemy connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def insert_events(self, batch: Iterable[Event]) -> EventCounts:
        return insert_events(self.connection, batch)
