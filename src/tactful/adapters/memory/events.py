"""`tactful.services.ports.EventStore` in memory."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from tactful.adapters.memory._common import utc
from tactful.domain.counts import EventCounts
from tactful.domain.events import Event, EventType

if TYPE_CHECKING:
    from tactful.adapters.memory.database import MemoryState

OFFER_EVENT_TYPES = (
    EventType.OFFER_SHOWN,
    EventType.OFFER_ACCEPTED,
    EventType.OFFER_DECLINED,
    EventType.OFFER_DISMISSED,
)


@dataclass
class EventData:
    """What the events store holds: each event by id, its time in UTC."""

    events: dict[str, Event] = field(default_factory=dict)


class MemoryEventStore:
    """`tactful.services.ports.EventStore` over a memory transaction's working state."""

    def __init__(self, state: MemoryState) -> None:
        self.data = state.events

    def insert_events(self, batch: Iterable[Event]) -> EventCounts:
        accepted = total = 0
        for event in batch:
            total += 1
            if event.event_id not in self.data.events:
                self.data.events[event.event_id] = replace(event, at=utc(event.at))
                accepted += 1
        return EventCounts(accepted=accepted, duplicate=total - accepted)

    def events_of(
        self,
        customer_id: str,
        *,
        since: datetime | None = None,
        types: Sequence[EventType] | None = None,
    ) -> list[Event]:
        found = [
            e
            for e in self.data.events.values()
            if e.customer_id == customer_id
            and (since is None or e.at >= utc(since))
            and (types is None or e.type in types)
        ]
        return sorted(found, key=lambda e: (e.at, e.event_id))

    def recent_offer_events(self, customer_id: str, *, since: datetime) -> list[Event]:
        return self.events_of(customer_id, since=since, types=OFFER_EVENT_TYPES)

    def count_events(self, *, of_type: EventType | None = None) -> int:
        events = self.data.events.values()
        return sum(1 for e in events if of_type is None or e.type == of_type)
