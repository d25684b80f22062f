"""What the decision path needs besides transactions: fast reads, a catalogue, a log.

A decision reads one customer's inputs, the catalogue and the model, then logs what it
decided. Each of those is a port here, so the storage tricks that make the path fast (held
read connections, cached purchases, a catalogue reloaded in the background, a group commit)
live in the adapters that implement them, not in the service.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from tactful.domain.offers import OfferCatalog, PastOrder
from tactful.domain.offers.records import DecisionInputs, DecisionRecord
from tactful.services.ports.offer_budget import BudgetSpend

RecordWithout = Callable[[frozenset[str]], DecisionRecord]
"""The decision's record without the offers whose keys the budget refused."""


class DecisionLogClosedError(RuntimeError):
    """The log was closed (the server is shutting down); nothing more is accepted."""


class DecisionReads(Protocol):
    """One customer's decision inputs, read as cheaply as they can be read correctly."""

    def read_inputs(
        self, customer_id: str, *, since: datetime, until: datetime, recent: datetime
    ) -> DecisionInputs:
        """The customer (None if unknown), purchases up to `until` (each SKU's first buy and,
        since `recent`, its last) and offer events since `since`."""
        ...

    def past_orders(self, customer_id: str, *, until: datetime) -> tuple[PastOrder, ...]:
        """The customer's orders up to `until`, oldest first, each with its SKUs (moment
        `email` ranks what they buy again from these)."""
        ...

    def close(self) -> None:
        """Release what is held for reading (shutdown)."""
        ...


class DecisionLog(Protocol):
    """Where decided records go; a write returns once the record is stored."""

    async def write(self, record: DecisionRecord) -> None:
        """Store `record` from the event loop; returns once committed (raises if it failed)."""
        ...

    def write_sync(self, record: DecisionRecord) -> None:
        """Store `record` from a plain thread, returning once committed."""
        ...

    async def write_spending(
        self, record: DecisionRecord, spend: BudgetSpend, without: RecordWithout
    ) -> frozenset[str]:
        """Spend the shown-offer budget through the log's `OfferBudget`, and store the record
        of what is then shown: `record`, or `without(refused)` when the budget refused some
        offers. On SQL both happen in one transaction. Returns the refused keys once committed.
        """
        ...

    def close(self) -> None:
        """Store everything queued, then refuse later writes (`DecisionLogClosedError`)."""
        ...


class CatalogSource(Protocol):
    """The catalogue indexed for decisions, kept current with the stored products."""

    def current(self) -> OfferCatalog:
        """The catalogue now: loaded on first use, refreshed when products change."""
        ...

    def reload(self) -> None:
        """Load it again now (this process just changed products)."""
        ...
