"""What checkout keeps between requests: idempotency keys, paid orders, offer answers, charges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class StoredKey:
    """An idempotency key as stored: in flight until `result` is set."""

    key: str
    fingerprint: str
    status: str
    result: dict[str, Any] | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CheckoutOrder:
    """The checkout side of an order: which page, whose card, when it was paid."""

    order_id: str
    page_slug: str
    customer_id: str
    email: str
    name: str
    gateway: str
    payment_method_id: str
    card_label: str
    purchased_at: datetime
    attribution: dict[str, Any]


@dataclass(frozen=True, slots=True)
class OfferAnswer:
    """The one row an offer ever gets: pending while its charge runs, then final."""

    offer_id: str
    sku: str
    status: str
    charge_id: str | None
    message: str | None
    claimed_at: datetime


@dataclass(frozen=True, slots=True)
class ChargeRecord:
    """A succeeded gateway charge linked to the order (and offer) it paid for."""

    charge_id: str
    order_id: str
    offer_id: str | None
    amount: int
    currency: str
    created_at: datetime
