"""Orders in, automatically: Shopify and WooCommerce order webhooks keep the history fresh.

Each delivery is verified against the platform's HMAC of the raw body, read into the
importers' model (`tactful.domain.platform_orders`) and stored in one transaction: the
platform's order id (the delivery's dedupe record), the customer, unknown products, the order
(once by id) and its refunds (once by id), each new one queueing `refund.created` for the
merchant's endpoints in that transaction, as an API refund does. A repeat delivery, or
`orders/updated` after `orders/create`, stops at the dedupe record and stores nothing new. A
refund finds its order by the platform's id whether the order came by webhook, by a CSV export
(Shopify's `Id` column) or by `POST /v1/orders` (its `external_id`, or an order id that is the
platform's id).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from typing import Any

from tactful.domain.clock import Clock
from tactful.domain.countries import country_code
from tactful.domain.customers import Customer, CustomerId
from tactful.domain.platform_orders import (
    MalformedPayloadError,
    Platform,
    PlatformOrder,
    PlatformRefund,
    refund_currency,
    shopify_order,
    shopify_refund,
    signature_matches,
    woocommerce_order,
)
from tactful.domain.refunds import OrderRefund, RefundStatus
from tactful.services.ports.platform_orders import EXTERNAL
from tactful.services.ports.storage import Database, Transaction
from tactful.services.webhook_events import refund_created

SHOPIFY_ORDER_TOPICS = {"orders/create", "orders/updated", "orders/paid"}
SHOPIFY_REFUND_TOPIC = "refunds/create"
SHOPIFY_TOPICS = {*SHOPIFY_ORDER_TOPICS, SHOPIFY_REFUND_TOPIC}

__all__ = [
    "MalformedPayloadError",
    "OrderWebhooks",
    "Received",
    "SignatureError",
    "WebhookNotSetUpError",
]


class SignatureError(Exception):
    """The body's HMAC does not match the signature header: nothing is stored."""


class WebhookNotSetUpError(LookupError):
    """No secret is configured for this platform, so none of its webhooks can be verified."""


@dataclass(frozen=True)
class Received:
    """What a delivery stored: the order (new or not), refunds, or why it was skipped."""

    order_id: str | None = None
    order_new: bool = False
    refunds_new: int = 0
    skipped: str | None = None

    def body(self) -> dict[str, Any]:
        """The JSON answer."""
        answer: dict[str, Any] = {"received": True, "order_id": self.order_id}
        answer.update(order_new=self.order_new, refunds_new=self.refunds_new)
        if self.skipped:
            answer["skipped"] = self.skipped
        return answer


@dataclass
class OrderWebhooks:
    """Verifies and stores platform order webhooks; `secrets` maps platform to its secret."""

    database: Database
    clock: Clock
    secrets: Mapping[str, str] = field(default_factory=dict)
    one_writer: bool = False
    """Store one delivery at a time (SQLite: one writer anyway, so threads queue here rather
    than sleep on the database's busy timeout)."""
    _writing: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def receive(self, platform: Platform, topic: str, body: bytes, signature: str) -> Received:
        """Verify, read and store one delivery; SignatureError or MalformedPayloadError."""
        secret = self.secrets.get(platform, "")
        if not secret:
            raise WebhookNotSetUpError(f"no webhook secret is set for {platform}")
        if not signature_matches(secret, body, signature):
            raise SignatureError("the signature does not match the body")
        payload = _json(body)
        if platform == "shopify" and topic and topic not in SHOPIFY_TOPICS:
            return Received(skipped=f"topic {topic} is not read")
        writing = self._writing if self.one_writer else nullcontext()
        with writing, self.database.transaction() as tx:
            if platform == "shopify":
                return self._shopify(tx, topic, payload)
            placed, refunds = woocommerce_order(payload)
            received = self._store(tx, platform, placed)
            return _refunds(tx, platform, refunds, received)

    def _shopify(self, tx: Transaction, topic: str, payload: Mapping[str, Any]) -> Received:
        if topic == SHOPIFY_REFUND_TOPIC:
            currency = refund_currency(payload) or _currency_of(tx, payload)
            return _refunds(tx, "shopify", [shopify_refund(payload, currency)], Received())
        return self._store(tx, "shopify", shopify_order(payload))

    def _store(self, tx: Transaction, platform: str, placed: PlatformOrder) -> Received:
        order = placed.order
        if order is None:
            return Received(skipped=placed.skipped)
        if not tx.platform_orders.remember(platform, placed.platform_id, order.order_id):
            known = tx.platform_orders.order_id(platform, placed.platform_id)
            return Received(order_id=known or order.order_id, order_new=False)
        if order.customer_id is not None:
            country = country_code(placed.country)
            customer = Customer(CustomerId(order.customer_id), placed.email, country=country)
            tx.customers.upsert_customers(
                [customer], at=self.clock.now(), update_fields=("country",)
            )
        tx.catalog.upsert_products(
            placed.products, at=order.created_at, update_fields=(), record_history=False
        )
        counts = tx.orders.insert_orders([order], source=platform)
        return Received(order_id=order.order_id, order_new=counts.orders_new > 0)


def our_order_id(tx: Transaction, platform: str, platform_id: str) -> str | None:
    """Our order for a platform's order id: stored by its webhook or CSV export, sent by the
    API with that `external_id`, or stored under that very id."""
    for source in (platform, EXTERNAL):
        found = tx.platform_orders.order_id(source, platform_id)
        if found is not None:
            return found
    return platform_id if tx.orders.existing_order_ids([platform_id]) else None


def _currency_of(tx: Transaction, payload: Mapping[str, Any]) -> str:
    order_id = our_order_id(tx, "shopify", str(payload.get("order_id")))
    if order_id is None:
        return "XXX"
    order = tx.orders.get_orders([order_id]).get(order_id)
    return order.lines[0].unit_price.currency if order else "XXX"


def _refunds(
    tx: Transaction, platform: str, refunds: list[PlatformRefund], so_far: Received
) -> Received:
    new = 0
    for refund in refunds:
        order_id = our_order_id(tx, platform, refund.platform_order_id)
        if order_id is None:
            return replace(so_far, skipped=f"refund for unknown order {refund.platform_order_id}")
        if tx.refunds.get_refund(refund.refund_id) is None:
            recorded = _order_refund(refund, order_id)
            tx.refunds.record_refund(recorded)
            refund_created(tx.outbox, recorded)
            new += 1
        so_far = replace(so_far, order_id=order_id, skipped=None)
    return replace(so_far, refunds_new=so_far.refunds_new + new)


def _order_refund(refund: PlatformRefund, order_id: str) -> OrderRefund:
    return OrderRefund(
        refund_id=refund.refund_id,
        order_id=order_id,
        amount=refund.amount,
        currency=refund.currency,
        reason=refund.reason,
        status=RefundStatus.SUCCEEDED,
        gateway_ref=None,
        lines=None,
        created_at=refund.created_at,
    )


def _json(body: bytes) -> Mapping[str, Any]:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise MalformedPayloadError("body: not JSON") from None
    if not isinstance(payload, dict):
        raise MalformedPayloadError("body: not a JSON object")
    return payload
