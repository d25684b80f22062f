"""Behavioural signals: what customers do, which triggers offers and sequences."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, NewType

from tactful.domain.catalog import Sku
from tactful.domain.customers import CustomerId

EventId = NewType("EventId", str)


class EventType(StrEnum):
    """Every signal tactful understands."""

    PRODUCT_VIEWED = "product_viewed"
    ADDED_TO_CART = "added_to_cart"
    REMOVED_FROM_CART = "removed_from_cart"
    CHECKOUT_STARTED = "checkout_started"
    PAYMENT_SUBMITTED = "payment_submitted"
    ORDER_PLACED = "order_placed"
    WISHLIST_ADDED = "wishlist_added"
    CART_ABANDONED = "cart_abandoned"
    TASK_COMPLETED = "task_completed"
    USAGE_THRESHOLD_REACHED = "usage_threshold_reached"
    LIMIT_REACHED = "limit_reached"
    RENEWAL_DUE = "renewal_due"
    OFFER_SHOWN = "offer_shown"
    OFFER_ACCEPTED = "offer_accepted"
    OFFER_DECLINED = "offer_declined"
    OFFER_DISMISSED = "offer_dismissed"
    UNSUBSCRIBED = "unsubscribed"


@dataclass(frozen=True, slots=True)
class Event:
    """One signal; its id makes a retried delivery land once."""

    event_id: EventId
    type: EventType
    customer_id: CustomerId
    at: datetime
    sku: Sku | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)
