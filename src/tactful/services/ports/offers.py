"""Storage of decisions, impressions and responses to offers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from tactful.domain.offers import OfferResponse
from tactful.domain.offers.records import DecisionRecord, Impression
from tactful.domain.offers.thompson import ArmCounts


class OfferLog(Protocol):
    """Reads and writes decisions, impressions and responses to offers within one transaction.

    Each method has the name and parameters of the function it wraps in
    `tactful.adapters.db.repositories.offers`, less the leading connection.
    """

    def save_decisions(self, records: Sequence[DecisionRecord]) -> None:
        """Log decisions with their impressions (the one record of each offer shown)."""
        ...

    def save_decision(self, record: DecisionRecord) -> None:
        """Log one decision with its impressions."""
        ...

    def get_impression(self, decision_id: str, offer_id: str) -> Impression | None:
        """The offer shown in a decision, or None when that decision never showed it."""
        ...

    def decision_exists(self, decision_id: str) -> bool:
        """Whether a decision with this id was logged."""
        ...

    def save_response(
        self, impression: Impression, response: OfferResponse, *, at: datetime
    ) -> bool:
        """Store a response once (and its offer_* event); False when it was already stored."""
        ...

    def count_decisions(self, *, held_out: bool | None = None) -> int:
        """How many decisions are logged (held out or not)."""
        ...

    def count_impressions(self) -> int:
        """How many offers were shown in total."""
        ...

    def arm_counts(self, *, since: datetime) -> dict[str, ArmCounts]:
        """Offers shown since `since` and accepted of those, per offer key (kind, offered SKU,
        what it is for: one candidate of one anchor); what Thompson allocation learns from."""
        ...
