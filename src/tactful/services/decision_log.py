"""The plain decision log: each record stored in its own transaction, through the offer log.

The server on SQL uses the group commit of `tactful.adapters.db.decision_log` instead; this
one serves the memory database (service tests) and any caller that decides one at a time.
"""

from __future__ import annotations

import threading

from tactful.domain.offers.records import DecisionRecord
from tactful.services.ports import Database
from tactful.services.ports.decisions import DecisionLogClosedError


class DirectDecisionLog:
    """`DecisionLog` that commits every record at once: simple, and slow under load."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._closed = threading.Event()

    async def write(self, record: DecisionRecord) -> None:
        """Store `record` now (a short transaction on the calling thread)."""
        self.write_sync(record)

    def write_sync(self, record: DecisionRecord) -> None:
        """Store `record` now; refused once the log is closed."""
        if self._closed.is_set():
            raise DecisionLogClosedError("the decision log is closed")
        with self.database.transaction() as tx:
            tx.offers.save_decision(record)

    def close(self) -> None:
        """Refuse later writes (nothing is ever queued)."""
        self._closed.set()
