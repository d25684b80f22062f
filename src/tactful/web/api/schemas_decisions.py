"""Request and response bodies for decisions and responses to offers."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

import orjson
from pydantic import BaseModel, Field, StrictInt, field_validator

from tactful.domain.money import Money
from tactful.domain.offers import Decision, Evidence, Moment, Offer, Task, TraceEntry
from tactful.web.api.schemas_ingest import Identifier, as_utc

T = TypeVar("T")
MAX_CART_LINES = 500
MAX_QUANTITY = 1_000_000
MAX_CHANNEL = 32


class CartLineIn(BaseModel):
    """One SKU in the cart."""

    sku: Identifier
    quantity: Annotated[StrictInt, Field(ge=1, le=MAX_QUANTITY)] = 1


class ContextIn(BaseModel):
    """Where the customer is within the moment."""

    task: Task | None = None
    channel: Annotated[str, Field(min_length=1, max_length=MAX_CHANNEL)] | None = None
    viewing: Identifier | None = Field(None, description="SKU of the product page (browsing)")
    expires_at: datetime | None = Field(
        None, description="A real deadline set by the merchant; the only source of urgency"
    )

    @field_validator("expires_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else as_utc(value)


class DecisionIn(BaseModel):
    """Which offers, if any, to show this customer at this moment."""

    customer_id: Identifier
    moment: Moment
    cart: Annotated[list[CartLineIn], Field(max_length=MAX_CART_LINES)] = Field(
        default_factory=list
    )
    context: ContextIn = Field(default_factory=ContextIn)


class Response(StrEnum):
    """The answers a customer can give over the API (the domain's `OfferResponse` less SHOWN)."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    DISMISSED = "dismissed"


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


class PriceOut(BaseModel):
    """Price in minor units; compare_at and savings only when lawful."""

    amount: int
    currency: str
    compare_at: int | None = None
    savings: int | None = None


class EvidenceOut(BaseModel):
    """The real co-purchase figures behind an offer (zeros when it rests on none)."""

    support: float
    confidence: float
    lift: float
    count: int


class SocialProofOut(BaseModel):
    """A statement from real counts."""

    text: str
    share: int
    sample_size: int


class UrgencyOut(BaseModel):
    """A real deadline."""

    expires_at: datetime
    text: str


class OfferOut(BaseModel):
    """One offer to show; never pre-selected."""

    offer_id: str
    kind: str
    sku: str
    for_sku: str | None
    format: str
    headline: str
    reason: str
    price: PriceOut
    cart_total_after: int = Field(description="Cart total in minor units if accepted")
    preselected: bool
    social_proof: SocialProofOut | None = None
    urgency: UrgencyOut | None = None
    evidence: EvidenceOut
    decline_label: str


class DecisionOut(BaseModel):
    """Zero to two offers, with warnings and the trace of every candidate."""

    decision_id: str
    held_out: bool
    offers: list[OfferOut]
    warnings: list[str]
    trace: list[dict[str, Any]]


def _price(offer: Offer) -> dict[str, Any]:
    block = offer.price
    body: dict[str, Any] = {"amount": block.price.amount, "currency": block.price.currency}
    if block.compare_at is not None:
        body["compare_at"] = block.compare_at.amount
    if block.savings is not None:
        body["savings"] = block.savings.amount
    return body


def _finite(value: float) -> float:
    """JSON has no infinities: a degenerate measure is reported as 0."""
    return round(value, 6) if math.isfinite(value) else 0.0


_NO_EVIDENCE = {"support": 0.0, "confidence": 0.0, "lift": 0.0, "count": 0}


def evidence_body(ev: Evidence) -> dict[str, Any]:
    """The figures behind an offer, rounded; a non-finite one as 0."""
    return {
        "support": _finite(ev.support),
        "confidence": _finite(ev.confidence),
        "lift": _finite(ev.lift),
        "count": ev.count,
    }


def _evidence(offer: Offer) -> dict[str, Any]:
    ev = offer.evidence
    return dict(_NO_EVIDENCE) if ev is None else evidence_body(ev)


def _evidence_json(offer: Offer) -> Any:
    ev = offer.evidence
    return _NO_EVIDENCE if ev is None else _evidence_fragments.one(ev)


def _amount(money: Money) -> int:
    return money.amount


def offer_body(offer: Offer, evidence: Callable[[Offer], Any] = _evidence) -> dict[str, Any]:
    """The JSON shape of one offer (optional blocks only when present)."""
    body: dict[str, Any] = {
        "offer_id": offer.offer_id,
        "kind": offer.kind.value,
        "sku": offer.sku,
        "for_sku": offer.for_sku,
        "format": offer.format.value,
        "headline": offer.headline,
        "reason": offer.reason,
        "price": _price(offer),
        "cart_total_after": _amount(offer.cart_total_after),
        "preselected": offer.preselected,
        "evidence": evidence(offer),
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
        body["urgency"] = {
            "expires_at": offer.urgency.expires_at.isoformat(),
            "text": offer.urgency.text,
        }
    return body


def trace_body(entry: TraceEntry) -> dict[str, Any]:
    """Why one candidate was kept or dropped."""
    return {
        "sku": entry.sku,
        "kind": entry.kind.value,
        "for_sku": entry.for_sku,
        "kept": entry.kept,
        "reasons": [r.value for r in entry.reasons],
        "relevance": _finite(entry.relevance),
        "count": entry.count,
        "confidence": _finite(entry.confidence),
        "lift": _finite(entry.lift),
        "price_increase": entry.price_increase,
    }


def _plain(value: Any) -> Any:
    """orjson's fallback for numbers it does not know (numpy scalars, float subclasses)."""
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, float | int):
        return float(value) if isinstance(value, float) else int(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class Fragments(Generic[T]):
    """Each object's JSON, written once per object and spliced in after that.

    The offer engine hands out the model's evidence objects themselves, so an offer's
    evidence is mostly JSON already written. Each is written as `shape` gives it, so the
    answer says the same whichever way it is built. Keyed by identity,
    holding the object so its id cannot be reused while the key lives; emptied when it grows
    past `size`.
    """

    def __init__(self, shape: Callable[[T], Any], size: int = 100_000) -> None:
        self._shape = shape
        self._size = size
        self._held: dict[int, tuple[T, orjson.Fragment]] = {}

    def one(self, value: T) -> orjson.Fragment:
        """`value`'s JSON."""
        found = self._held.get(id(value))
        if found is None or found[0] is not value:
            found = self._write(value)
        return found[1]

    def many(self, values: Iterable[T]) -> list[orjson.Fragment]:
        """Each value's JSON, in order."""
        return list(map(self.one, values))

    def _write(self, value: T) -> tuple[T, orjson.Fragment]:
        if len(self._held) >= self._size:
            self._held.clear()
        fragment = orjson.Fragment(orjson.dumps(self._shape(value), default=_plain))
        found = self._held[id(value)] = (value, fragment)
        return found


_evidence_fragments: Fragments[Evidence] = Fragments(evidence_body)


def decision_json(decision: Decision) -> bytes:
    """The response body as JSON bytes, straight from the decision.

    Says what `decision_body` says; evidence is spliced in from `Fragments`, written once
    per object.
    """
    body = {
        "decision_id": decision.decision_id,
        "held_out": decision.held_out,
        "offers": [offer_body(o, _evidence_json) for o in decision.offers],
        "warnings": decision.warnings,
        "trace": [trace_body(entry) for entry in decision.trace],
    }
    return orjson.dumps(body, default=_plain)


def decision_body(decision: Decision) -> dict[str, Any]:
    """The JSON shape of a decision, built directly (no second validation pass)."""
    return {
        "decision_id": decision.decision_id,
        "held_out": decision.held_out,
        "offers": [offer_body(o) for o in decision.offers],
        "warnings": list(decision.warnings),
        "trace": [trace_body(t) for t in decision.trace],
    }
