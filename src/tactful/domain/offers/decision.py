"""The decision: offers to show, the trace of every candidate, and warnings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tactful.domain.catalog import Sku
from tactful.domain.customers import CustomerId
from tactful.domain.money import Money
from tactful.domain.offers.evidence import Evidence
from tactful.domain.offers.moments import Format, Moment, OfferKind
from tactful.domain.offers.reasons import ReasonCode


@dataclass(frozen=True, slots=True)
class PriceBlock:
    """The price, and a compare-at price with savings only when they are lawful."""

    price: Money
    compare_at: Money | None = None
    savings: Money | None = None


@dataclass(frozen=True, slots=True)
class SocialProof:
    """A statement built from real counts, share rounded down."""

    text: str
    share: int
    sample_size: int


@dataclass(frozen=True, slots=True)
class Urgency:
    """A real deadline; never a made-up timer."""

    expires_at: datetime
    text: str


@dataclass(frozen=True, slots=True)
class Offer:
    """One offer to show, framed around the outcome with an easy way out."""

    offer_id: str
    key: str
    kind: OfferKind
    sku: Sku
    for_sku: Sku | None
    format: Format
    headline: str
    reason: str
    price: PriceBlock
    cart_total_after: Money
    evidence: Evidence | None
    relevance: float
    decline_label: str
    social_proof: SocialProof | None = None
    urgency: Urgency | None = None
    preselected: bool = False


@dataclass(frozen=True, slots=True)
class TraceEntry:
    """Why one candidate was kept or dropped, with the scores it was judged on."""

    sku: Sku
    kind: OfferKind
    for_sku: Sku | None
    kept: bool
    reasons: tuple[ReasonCode, ...]
    relevance: float
    count: int
    confidence: float
    lift: float
    price_increase: int


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer for one moment: zero to two offers, explained."""

    decision_id: str
    customer_id: CustomerId
    moment: Moment
    at: datetime
    held_out: bool
    offers: tuple[Offer, ...]
    trace: tuple[TraceEntry, ...]
    warnings: tuple[str, ...]
