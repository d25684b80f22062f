"""Webhooks out: which events a merchant may subscribe to, and when a failed one is retried.

Deliveries follow the Standard Webhooks specification (signed `webhook-id`,
`webhook-timestamp`, `webhook-signature`); a message that fails is retried with exponential
backoff for three days (`RETRY_DELAYS`), then given up, and its endpoint is disabled until
the merchant enables it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class EventType(StrEnum):
    """What a merchant's endpoint can be told about."""

    OFFER_ACCEPTED = "offer.accepted"
    OFFER_DECLINED = "offer.declined"
    ORDER_PAID = "order.paid"
    UPSELL_CHARGED = "upsell.charged"
    REFUND_CREATED = "refund.created"
    UNSUBSCRIBE = "unsubscribe"


RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=20),
)
"""The wait after each failed attempt: about three days in all, then the message is given up."""


class DeliveryStatus(StrEnum):
    """Where a message stands for one endpoint."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A merchant's receiver: its address, signing secret and events."""

    endpoint_id: str
    url: str
    secret: str
    events: tuple[EventType, ...]
    description: str
    enabled: bool
    disabled_reason: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message to one endpoint: what is sent and how its attempts went."""

    message_id: str
    endpoint_id: str
    event_type: str
    payload: str
    created_at: datetime
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_status: int | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt came to: a 2xx status is delivered; anything else is a failure."""

    status: int | None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def next_attempt(attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` failed attempts; None once three days are spent."""
    if attempts < 1 or attempts > len(RETRY_DELAYS):
        return None
    return now + RETRY_DELAYS[attempts - 1]


def total_retry_span() -> timedelta:
    """How long a failing message is retried before it is given up."""
    return sum(RETRY_DELAYS, timedelta())
