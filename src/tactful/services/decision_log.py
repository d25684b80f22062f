"""The plain decision log: each record stored in its own transaction, through the offer log.

The server on SQL uses the group commit of `tactful.adapters.db.decision_log` instead; this
one serves the memory database (service tests) and any caller that decides one at a time.
"""

from __future__ import annotations

import threading

from tactful.domain.offers.records import DecisionRecord
from tactful.services.ports.decisions import DecisionLogClosedError, RecordWithout
from tactful.services.ports.offer_budget import BudgetSpend, OfferBudget
from tactful.services.ports.storage import Database


class DirectDecisionLog:
    """`DecisionLog` that commits every record at once: simple, and slow under load.

    Its `budget` spends in a transaction of its own before the record is stored; without
    one, nothing is refused (the offer events read are trusted: one process, tests).
    """

    def __init__(self, database: Database, budget: OfferBudget | None = None) -> None:
        self.database = database
        self.budget = budget
        self._closed = threading.Event()

    async def write(self, record: DecisionRecord) -> None:
        """Store `record` now (a short transaction on the calling thread)."""
        self.write_sync(record)

    async def write_spending(
        self, record: DecisionRecord, spend: BudgetSpend, without: RecordWithout
    ) -> frozenset[str]:
        """Spend the budget, then store the record of the offers it did not refuse."""
        refused: frozenset[str] = frozenset()
        if self.budget is not None:
            refused = self.budget.spend(
                spend.customer_id,
                spend.keys,
                at=spend.at,
                window=spend.window,
                budget=spend.budget,
            )
        self.write_sync(without(refused) if refused else record)
        return refused

    def write_sync(self, record: DecisionRecord) -> None:
        """Store `record` now; refused once the log is closed."""
        if self._closed.is_set():
            raise DecisionLogClosedError("the decision log is closed")
        with self.database.transaction() as tx:
            tx.offers.save_decision(record)

    def close(self) -> None:
        """Refuse later writes (nothing is ever queued)."""
        self._closed.set()
