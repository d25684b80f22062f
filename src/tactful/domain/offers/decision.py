"""The decision: offers to show, the trace of every candidate, and warnings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tactful.domain.catalog import Sku
from tactful.domain.customers import CustomerId
from tactful.domain.money import Money
from tactful.domain.offers.candidates import Candidate
from tactful.domain.offers.evidence import Evidence, RepeatPurchase
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
    name: str = ""
    """The offered product's name, for labels that say what is added."""
    repeat: RepeatPurchase | None = None
    """A repurchase's evidence: how many orders held the item, the last one when."""


@dataclass(frozen=True, slots=True)
class TraceEntry:
    """Why one candidate was kept or dropped; its scores are read from the candidate itself,
    so a trace entry builds no copy of them."""

    candidate: Candidate
    reasons: tuple[ReasonCode, ...]

    @property
    def sku(self) -> Sku:
        """The offered SKU."""
        return self.candidate.sku

    @property
    def kind(self) -> OfferKind:
        """Cross-sell, upsell, bundle or downsell."""
        return self.candidate.kind

    @property
    def for_sku(self) -> Sku | None:
        """The item the candidate was proposed for."""
        return self.candidate.for_sku

    @property
    def kept(self) -> bool:
        """The candidate became an offer."""
        return self.reasons == (ReasonCode.KEPT,)

    @property
    def relevance(self) -> float:
        """The score it was ranked on."""
        return self.candidate.relevance

    @property
    def count(self) -> int:
        """Co-purchases behind it (0 without evidence)."""
        evidence = self.candidate.evidence
        return evidence.count if evidence is not None else 0

    @property
    def confidence(self) -> float:
        """Its evidence's confidence (0 without evidence)."""
        evidence = self.candidate.evidence
        return evidence.confidence if evidence is not None else 0.0

    @property
    def lift(self) -> float:
        """Its evidence's lift (0 without evidence)."""
        evidence = self.candidate.evidence
        return evidence.lift if evidence is not None else 0.0

    @property
    def repeat(self) -> RepeatPurchase | None:
        """A repurchase's orders and last order (None for other kinds)."""
        return self.candidate.repeat

    @property
    def price_increase(self) -> int:
        """What taking it adds to the cart, in minor units."""
        return self.candidate.increase.amount


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
    experiments: tuple[tuple[str, str], ...] = ()
    """(experiment id, variant) of every experiment arm this decision followed."""
    presentation: str | None = None
    """The format an experiment arm asks the widget or checkout to render (card, compact)."""
