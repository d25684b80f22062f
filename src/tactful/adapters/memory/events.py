"""`tactful.services.ports.EventStore` in memory."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tactful.domain.counts import EventCounts
from tactful.domain.events import Event

if TYPE_CHECKING:
    from tactful.adapters.memory.database import MemoryState


@dataclass
class EventData:
    """What the events store holds."""

    events: dict[str, Event] = field(default_factory=dict)


class MemoryEventStore:
    """`tactful.services.ports.EventStore` over a memory transaction's working state."""

    def __init__(self, state: MemoryState) -> None:
        self.state = state

    def insert_events(self, batch: Iterable[Event]) -> EventCounts:
        stored = self.state.events.events
        total = accepted = 0
        for event in batch:
            total += 1
            if event.event_id not in stored:
                stored[event.event_id] = event
                accepted += 1
        return EventCounts(accepted=accepted, duplicate=total - accepted)
