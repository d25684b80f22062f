"""Storage of behavioural events, stored once per id."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from tactful.domain.counts import EventCounts
from tactful.domain.events import Event


class EventStore(Protocol):
    """Reads and writes behavioural events, stored once per id within one transaction.

    Each method has the name and parameters of the function it wraps in
    `tactful.adapters.db.repositories.events`, less the leading connection.
    """

    def insert_events(self, batch: Iterable[Event]) -> EventCounts:
        """Store each event once per id; repeats (in the batch or stored before) are counted."""
        ...
