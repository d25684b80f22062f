"""Reads the guardrails of experiments need beyond orders and ratings: answers and opt-outs."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple, Protocol


class OfferAnswers(NamedTuple):
    """A customer's offers shown in a span, and how many of them they declined."""

    customer_id: str
    impressions: int
    declines: int


class OptOut(NamedTuple):
    """A customer's first withdrawal of marketing email in a span."""

    customer_id: str
    at: datetime


class GuardrailReads(Protocol):
    """Aggregated per-customer reads over [since, until) in UTC, in any order."""

    def offer_answers(self, *, since: datetime, until: datetime) -> list[OfferAnswers]:
        """Each customer shown an offer in the span: offers shown, and declined of those."""
        ...

    def opt_outs(self, *, since: datetime, until: datetime) -> list[OptOut]:
        """Each customer who withdrew marketing email (unsubscribed) in the span, first time."""
        ...
