"""Everything a decision reads, gathered by the service layer into frozen values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from tactful.domain.catalog import ProductKind, Sku
from tactful.domain.events import Event, EventType
from tactful.domain.offers.evidence import AffinitySource
from tactful.domain.offers.moments import OfferKind, Task
from tactful.domain.offers.offer_catalog import OfferCatalog
from tactful.domain.offers.policy import DEFAULT_POLICY, OfferPolicy
from tactful.domain.offers.thompson import ArmCounts
from tactful.domain.orders import LineSource, Order


@dataclass(frozen=True, slots=True)
class CartLine:
    """One SKU in the cart."""

    sku: Sku
    quantity: int = 1

    def __post_init__(self) -> None:
        if not self.sku:
            raise ValueError("cart line sku must not be empty")
        if self.quantity <= 0:
            raise ValueError(f"quantity of {self.sku} must be positive, got {self.quantity}")


@dataclass(frozen=True, slots=True)
class Purchase:
    """A SKU the customer bought, when, and whether an offer brought it."""

    sku: Sku
    at: datetime
    source: LineSource = LineSource.MAIN
    kind: ProductKind | None = None


@dataclass(frozen=True, slots=True)
class PastOrder:
    """One of the customer's orders: when, and the SKUs it held."""

    at: datetime
    skus: tuple[Sku, ...]


def purchases_from_orders(orders: Iterable[Order]) -> tuple[Purchase, ...]:
    """Flatten a customer's orders into purchases."""
    return tuple(
        Purchase(sku=line.sku, at=order.created_at, source=line.source)
        for order in orders
        for line in order.lines
    )


class OfferResponse(StrEnum):
    """What happened to an offer: shown by a decision, then answered by the customer."""

    SHOWN = "shown"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    DISMISSED = "dismissed"

    @property
    def event_type(self) -> EventType:
        """The event that records it and feeds cooldowns on every channel."""
        return EventType(f"offer_{self.value}")


_RESPONSES = {r.event_type.value: r for r in OfferResponse}
_KINDS = {k.value: k for k in OfferKind}


@dataclass(frozen=True, slots=True)
class OfferEvent:
    """An impression or response, from any channel; cooldowns and budgets read these."""

    response: OfferResponse
    sku: Sku
    at: datetime
    kind: OfferKind | None = None
    for_sku: Sku | None = None
    relevance: float | None = None
    offer_id: str | None = None

    @classmethod
    def from_event(cls, event: Event) -> OfferEvent | None:
        """Read a stored offer_* event (properties kind, for_sku, relevance, offer_id)."""
        if event.sku is None:
            return None
        return offer_event(str(event.type), event.sku, event.at, event.properties)


def offer_event(
    event_type: str, sku: Sku, at: datetime, properties: Mapping[str, Any]
) -> OfferEvent | None:
    """An offer_* event as the engine reads it; None for any other type of event.

    The one reading of stored properties, shared by `OfferEvent.from_event` and by storage
    that decodes its rows without building an `Event` first (the decision's hot path).
    """
    response = _RESPONSES.get(event_type)
    if response is None:
        return None
    kind = properties.get("kind")
    relevance = properties.get("relevance")
    for_sku = properties.get("for_sku")
    offer_id = properties.get("offer_id")
    return OfferEvent(
        response=response,
        sku=sku,
        at=at,
        kind=_KINDS.get(str(kind)),
        for_sku=Sku(str(for_sku)) if for_sku else None,
        relevance=float(relevance) if isinstance(relevance, int | float) else None,
        offer_id=str(offer_id) if offer_id else None,
    )


def shown_offer(
    sku: Sku, at: datetime, kind: str, for_sku: str | None, relevance: float | None, offer_id: str
) -> OfferEvent:
    """An offer a decision showed, as its logged impression holds it (the same fields)."""
    return OfferEvent(
        response=OfferResponse.SHOWN,
        sku=sku,
        at=at,
        kind=_KINDS.get(kind),
        for_sku=Sku(for_sku) if for_sku else None,
        relevance=None if relevance is None else float(relevance),
        offer_id=offer_id,
    )


@dataclass(frozen=True, slots=True)
class DeclinedUpsell:
    """A one-click upsell the customer just declined: a cheaper alternative may follow."""

    sku: Sku
    for_sku: Sku | None = None


@dataclass(frozen=True, eq=False)
class DecisionContext:
    """Everything besides customer, moment and cart that a decision depends on.

    `now` and `decision_id` come from the caller so that the decision is a pure function.
    `viewing` is the product page's SKU at `browsing`; `expires_at` is a real deadline set by
    the merchant or the checkout, the only thing that may produce urgency copy.
    """

    decision_id: str
    now: datetime
    catalog: OfferCatalog
    affinity: AffinitySource
    policy: OfferPolicy = DEFAULT_POLICY
    task: Task | None = None
    channel: str | None = None
    viewing: Sku | None = None
    purchases: Sequence[Purchase] = ()
    offer_events: Sequence[OfferEvent] = ()
    declined_upsell: DeclinedUpsell | None = None
    expires_at: datetime | None = None
    time_zone: str | None = None
    """The customer's IANA time zone: deadlines are written in it (UTC when None)."""
    orders: Sequence[PastOrder] = ()
    """The customer's whole order history, read for moment `email` only (buy again)."""
    arm_counts: Mapping[str, ArmCounts] = field(default_factory=dict)
    """Impressions and acceptances per offer key, read only when the policy's allocation is
    `thompson`."""

    def __post_init__(self) -> None:
        if not self.decision_id:
            raise ValueError("decision_id must not be empty")
        if self.now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
