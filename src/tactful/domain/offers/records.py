"""What the decision log keeps and what a decision reads back: plain values, no storage."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tactful.domain.customers import Customer
from tactful.domain.money import Money
from tactful.domain.offers.inputs import OfferEvent, Purchase


@dataclass(frozen=True, slots=True)
class Impression:
    """One offer shown in one decision."""

    decision_id: str
    offer_id: str
    position: int
    customer_id: str
    kind: str
    sku: str
    for_sku: str | None
    format: str
    price: Money
    at: datetime
    relevance: float | None = None
    channel: str | None = None

    def event_properties(self) -> dict[str, Any]:
        """What an offer_* event about this impression carries (cooldowns read it back)."""
        properties: dict[str, Any] = {
            "offer_id": self.offer_id,
            "decision_id": self.decision_id,
            "kind": self.kind,
            "for_sku": self.for_sku,
            "channel": self.channel or "api",
        }
        if self.relevance is not None:
            properties["relevance"] = self.relevance
        return properties

    def response_event_id(self, response: str) -> str:
        """The id of the event a response to this impression stores (once per response)."""
        return f"{self.decision_id}:{self.offer_id}:{response}"


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """A decision as logged: enough to measure incremental revenue of offers later."""

    decision_id: str
    customer_id: str
    moment: str
    at: datetime
    held_out: bool
    cart: Sequence[Mapping[str, Any]]
    impressions: Sequence[Impression] = field(default_factory=tuple)
    channel: str | None = None
    model_version: str | None = None
    variants: Sequence[tuple[str, str]] = ()
    """(experiment id, variant) of every experiment arm the decision followed."""
    trace: str | None = None
    """Every candidate and why it was kept or dropped, as `trace_log.trace_text` stores it;
    None when not kept (simulated decisions, decisions logged before migration 0030)."""


@dataclass(frozen=True, slots=True)
class DecisionInputs:
    """What a decision reads from storage about one customer."""

    customer: Customer | None
    purchases: tuple[Purchase, ...]
    offer_events: tuple[OfferEvent, ...]
