"""Response bodies for decisions, and request and response bodies for answers to offers.

The request of a decision is `tactful.services.decision_request.DecisionRequest`: the
service takes it as it is. `DecisionOut` is the one shape of the answer: typed dicts that
OpenAPI documents and mypy checks, built from the domain's `Decision` by `decision_out`
and written to JSON once by `answer_json`. An optional block that is absent is left out
(`NotRequired`), never sent as null; `for_sku` is always sent, null when there is none.
"""

from __future__ import annotations

from datetime import datetime
from math import isfinite
from typing import Annotated, Any, Literal, NotRequired

import orjson
from pydantic import BaseModel, Field
from typing_extensions import TypedDict  # pydantic reads only this one on Python 3.11

from tactful.domain.offers import (
    Decision,
    Evidence,
    Format,
    Offer,
    OfferKind,
    PriceBlock,
    ReasonCode,
    RepeatPurchase,
    TraceEntry,
)
from tactful.services.request_fields import Identifier

Answer = Literal["accepted", "declined", "dismissed"]
"""What a customer can do with a shown offer (the domain's `OfferResponse` less `shown`)."""


class ResponseIn(BaseModel):
    """What the customer did with a shown offer."""

    offer_id: Identifier
    response: Answer


class ResponseOut(BaseModel):
    """A stored response; `duplicate` when it had been stored before."""

    decision_id: str
    offer_id: str
    response: Answer
    duplicate: bool


class PriceOut(TypedDict):
    """Price in minor units; compare_at and savings only when lawful."""

    amount: int
    currency: str
    compare_at: NotRequired[int]
    savings: NotRequired[int]


class EvidenceOut(TypedDict):
    """The real co-purchase figures behind an offer (zeros when it rests on none)."""

    support: float
    confidence: float
    lift: float
    count: int


class RepeatOut(TypedDict):
    """Behind a repurchase: how many of the customer's orders held the item, the last when."""

    orders: int
    last_ordered_at: datetime


class SocialProofOut(TypedDict):
    """A statement from real counts."""

    text: str
    share: int
    sample_size: int


class UrgencyOut(TypedDict):
    """A real deadline."""

    expires_at: datetime
    text: str


class OfferOut(TypedDict):
    """One offer to show; never pre-selected. social_proof and urgency only when real."""

    offer_id: str
    kind: OfferKind
    sku: str
    name: Annotated[str, Field(description="The offered product's name")]
    for_sku: str | None
    format: Format
    headline: str
    reason: str
    price: PriceOut
    cart_total_after: Annotated[int, Field(description="Cart total in minor units if accepted")]
    preselected: bool
    evidence: EvidenceOut
    decline_label: str
    social_proof: NotRequired[SocialProofOut]
    urgency: NotRequired[UrgencyOut]
    repeat: NotRequired[RepeatOut]


class TraceOut(TypedDict):
    """Why one candidate was kept or dropped, with the figures it was judged on."""

    sku: str
    kind: OfferKind
    for_sku: str | None
    kept: bool
    reasons: list[ReasonCode]
    relevance: float
    count: int
    confidence: float
    lift: float
    price_increase: int
    repeat: NotRequired[RepeatOut]


class ArmOut(TypedDict):
    """An experiment this decision followed and the customer's variant in it."""

    experiment_id: str
    variant: str


class DecisionOut(TypedDict):
    """Zero to two offers, with warnings and the trace of every candidate; the experiment arms
    it followed and the format they ask the widget or checkout to render (card, compact)."""

    decision_id: str
    held_out: bool
    offers: list[OfferOut]
    warnings: list[str]
    trace: list[TraceOut]
    experiments: list[ArmOut]
    presentation: str | None


def _figure(value: float) -> float:
    """A measure to 6 places; JSON has no infinities, so a degenerate one is sent as 0."""
    return round(value, 6) if isfinite(value) else 0.0


def _price(block: PriceBlock) -> PriceOut:
    price: PriceOut = {"amount": block.price.amount, "currency": block.price.currency}
    if block.compare_at is not None:
        price["compare_at"] = block.compare_at.amount
    if block.savings is not None:
        price["savings"] = block.savings.amount
    return price


_NO_EVIDENCE: EvidenceOut = {"support": 0.0, "confidence": 0.0, "lift": 0.0, "count": 0}


def _evidence(evidence: Evidence | None) -> EvidenceOut:
    if evidence is None:
        return _NO_EVIDENCE
    return {
        "support": _figure(evidence.support),
        "confidence": _figure(evidence.confidence),
        "lift": _figure(evidence.lift),
        "count": evidence.count,
    }


def _offer(offer: Offer) -> OfferOut:
    body: OfferOut = {
        "offer_id": offer.offer_id,
        "kind": offer.kind,
        "sku": offer.sku,
        "name": offer.name,
        "for_sku": offer.for_sku,
        "format": offer.format,
        "headline": offer.headline,
        "reason": offer.reason,
        "price": _price(offer.price),
        "cart_total_after": offer.cart_total_after.amount,
        "preselected": offer.preselected,
        "evidence": _evidence(offer.evidence),
        "decline_label": offer.decline_label,
    }
    if offer.social_proof is not None:
        proof = offer.social_proof
        body["social_proof"] = {
            "text": proof.text,
            "share": proof.share,
            "sample_size": proof.sample_size,
        }
    if offer.urgency is not None:
        body["urgency"] = {"expires_at": offer.urgency.expires_at, "text": offer.urgency.text}
    if offer.repeat is not None:
        body["repeat"] = _repeat(offer.repeat)
    return body


def _repeat(repeat: RepeatPurchase) -> RepeatOut:
    return {"orders": repeat.orders, "last_ordered_at": repeat.last_at}


def _trace(entry: TraceEntry) -> TraceOut:
    body: TraceOut = {
        "sku": entry.sku,
        "kind": entry.kind,
        "for_sku": entry.for_sku,
        "kept": entry.kept,
        "reasons": list(entry.reasons),
        "relevance": _figure(entry.relevance),
        "count": entry.count,
        "confidence": _figure(entry.confidence),
        "lift": _figure(entry.lift),
        "price_increase": entry.price_increase,
    }
    if entry.repeat is not None:
        body["repeat"] = _repeat(entry.repeat)
    return body


def decision_out(decision: Decision) -> DecisionOut:
    """The answer to send for `decision`, shaped as `DecisionOut` documents it."""
    return {
        "decision_id": decision.decision_id,
        "held_out": decision.held_out,
        "offers": [_offer(offer) for offer in decision.offers],
        "warnings": list(decision.warnings),
        "trace": [_trace(entry) for entry in decision.trace],
        "experiments": [{"experiment_id": e, "variant": v} for e, v in decision.experiments],
        "presentation": decision.presentation,
    }


def _plain(value: Any) -> Any:
    """orjson's fallback for numbers it does not know (numpy scalars, float subclasses)."""
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, float | int):
        return float(value) if isinstance(value, float) else int(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def answer_json(decision: Decision) -> bytes:
    """The JSON answer for `decision`, written once."""
    return orjson.dumps(decision_out(decision), default=_plain)
