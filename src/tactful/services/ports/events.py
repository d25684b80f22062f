"""Storage of behavioural events, stored once per id."""

from __future__ import annotations

from typing import Protocol


class EventStore(Protocol):
    """Reads and writes behavioural events, stored once per id within one transaction.

    Each method has the name and parameters of the function it wraps in
    `tactful.adapters.db.repositories.events`, less the leading connection.
    """
