"""What tactful keeps about money moving outside the request: payments the customer confirms
in the page, disputes, and webhook events already handled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class PendingPayment:
    """A gateway payment (a PaymentIntent) and what it pays for.

    `purpose` is `checkout` (the order `order_id` is made when it succeeds, from `details`) or
    `offer` (the one-click offer `details["offer_id"]` of order `order_id`, waiting for the
    customer to confirm it on-session).
    """

    payment_ref: str
    gateway: str
    purpose: str
    order_id: str
    amount: int
    currency: str
    status: str
    details: dict[str, Any]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Dispute:
    """A customer's bank disputing a payment of an order."""

    dispute_id: str
    order_id: str
    amount: int
    currency: str
    reason: str
    status: str
    created_at: datetime
