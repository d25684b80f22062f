"""Storage of behavioural events, stored once per id."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from tactful.domain.counts import EventCounts
from tactful.domain.events import Event, EventType


class EventStore(Protocol):
    """Reads and writes behavioural events, stored once per id within one transaction.

    Each method has the name and parameters of the function it wraps in
    `tactful.adapters.db.repositories.events`, less the leading connection.
    """

    def insert_events(self, batch: Iterable[Event]) -> EventCounts:
        """Store each event once per id; repeats (in the batch or stored before) are counted."""
        ...

    def events_of(
        self,
        customer_id: str,
        *,
        since: datetime | None = None,
        types: Sequence[EventType] | None = None,
    ) -> list[Event]:
        """A customer's events, oldest first, optionally only recent ones of some types."""
        ...

    def recent_offer_events(self, customer_id: str, *, since: datetime) -> list[Event]:
        """Offers shown to and answered by a customer since `since`, on every channel."""
        ...

    def count_events(self, *, of_type: EventType | None = None) -> int:
        """How many events are stored (of one type)."""
        ...
