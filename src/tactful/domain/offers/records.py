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


@dataclass(frozen=True, slots=True)
class DecisionInputs:
    """What a decision reads from storage about one customer."""

    customer: Customer | None
    purchases: tuple[Purchase, ...]
    offer_events: tuple[OfferEvent, ...]
