"""Response bodies for decisions, and request and response bodies for answers to offers.

The request of a decision is `tactful.services.decision_request.DecisionRequest`: the
service takes it as it is. `DecisionOut` is the one shape of the answer: built from the
domain's `Decision` by `DecisionOut.of`, written to JSON once by `to_json`, and documented
in OpenAPI from these same classes. Optional blocks that are absent are left out of the
JSON, not sent as null (`exclude_if`); `for_sku` is always sent, null when there is none.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

from tactful.adapters.db.repositories.offers import Response
from tactful.domain.offers import (
    Decision,
    Evidence,
    Format,
    Offer,
    OfferKind,
    PriceBlock,
    ReasonCode,
)


class ResponseIn(BaseModel):
    """What the customer did with a shown offer."""

    offer_id: Annotated[str, Field(min_length=1, max_length=128)]
    response: Response


class ResponseOut(BaseModel):
    """A stored response; `duplicate` when it had been stored before."""

    decision_id: str
    offer_id: str
    response: Response
    duplicate: bool


def _finite(value: float) -> float:
    """JSON has no infinities: a degenerate measure is reported as 0."""
    return round(value, 6) if math.isfinite(value) else 0.0


Figure = Annotated[float, AfterValidator(_finite)]
"""A co-purchase measure, rounded to 6 places (a non-finite one as 0)."""


def _absent(value: object) -> bool:
    return value is None


IsoTime = Annotated[
    datetime,
    PlainSerializer(datetime.isoformat, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A time written as Python's isoformat writes it ("+00:00", not "Z")."""


class PriceOut(BaseModel):
    """Price in minor units; compare_at and savings only when lawful (absent otherwise)."""

    amount: int
    currency: str
    compare_at: int | None = Field(None, exclude_if=_absent)
    savings: int | None = Field(None, exclude_if=_absent)

    @classmethod
    def of(cls, block: PriceBlock) -> PriceOut:
        """The price block's amounts in minor units."""
        return cls(
            amount=block.price.amount,
            currency=block.price.currency,
            compare_at=None if block.compare_at is None else block.compare_at.amount,
            savings=None if block.savings is None else block.savings.amount,
        )


class EvidenceOut(BaseModel):
    """The real co-purchase figures behind an offer (zeros when it rests on none)."""

    model_config = ConfigDict(from_attributes=True)

    support: Figure
    confidence: Figure
    lift: Figure
    count: int

    @classmethod
    def of(cls, evidence: Evidence | None) -> EvidenceOut:
        """The evidence's figures, or zeros for an offer that rests on none."""
        if evidence is None:
            return cls(support=0.0, confidence=0.0, lift=0.0, count=0)
        return cls.model_validate(evidence)


class SocialProofOut(BaseModel):
    """A statement from real counts."""

    model_config = ConfigDict(from_attributes=True)

    text: str
    share: int
    sample_size: int


class UrgencyOut(BaseModel):
    """A real deadline."""

    model_config = ConfigDict(from_attributes=True)

    expires_at: IsoTime
    text: str


class OfferOut(BaseModel):
    """One offer to show; never pre-selected. social_proof and urgency only when real."""

    offer_id: str
    kind: OfferKind
    sku: str
    for_sku: str | None
    format: Format
    headline: str
    reason: str
    price: PriceOut
    cart_total_after: int = Field(description="Cart total in minor units if accepted")
    preselected: bool
    evidence: EvidenceOut
    decline_label: str
    social_proof: SocialProofOut | None = Field(None, exclude_if=_absent)
    urgency: UrgencyOut | None = Field(None, exclude_if=_absent)

    @classmethod
    def of(cls, offer: Offer) -> OfferOut:
        """The offer as sent (social proof and urgency are read by their attributes)."""
        return cls(
            offer_id=offer.offer_id,
            kind=offer.kind,
            sku=offer.sku,
            for_sku=offer.for_sku,
            format=offer.format,
            headline=offer.headline,
            reason=offer.reason,
            price=PriceOut.of(offer.price),
            cart_total_after=offer.cart_total_after.amount,
            preselected=offer.preselected,
            evidence=EvidenceOut.of(offer.evidence),
            decline_label=offer.decline_label,
            social_proof=offer.social_proof,
            urgency=offer.urgency,
        )


class TraceOut(BaseModel):
    """Why one candidate was kept or dropped, with the figures it was judged on."""

    model_config = ConfigDict(from_attributes=True)

    sku: str
    kind: OfferKind
    for_sku: str | None
    kept: bool
    reasons: list[ReasonCode]
    relevance: Figure
    count: int
    confidence: Figure
    lift: Figure
    price_increase: int


class DecisionOut(BaseModel):
    """Zero to two offers, with warnings and the trace of every candidate."""

    decision_id: str
    held_out: bool
    offers: list[OfferOut]
    warnings: list[str]
    trace: list[TraceOut]

    @classmethod
    def of(cls, decision: Decision) -> DecisionOut:
        """The answer to send for `decision` (trace entries are read by their attributes)."""
        return cls(
            decision_id=decision.decision_id,
            held_out=decision.held_out,
            offers=[OfferOut.of(offer) for offer in decision.offers],
            warnings=list(decision.warnings),
            trace=list(decision.trace),
        )

    def to_json(self) -> bytes:
        """The JSON answer, written once from the model."""
        return self.model_dump_json().encode()
