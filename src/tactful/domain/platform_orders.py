"""Orders and refunds pushed by shop platforms (Shopify, WooCommerce), read into our model.

Pure reading of the platforms' documented webhook payloads (already parsed JSON) into the
same `Order`, customer and refund values the importers make: the customer is the e-mail
(lower-cased; none is a guest), a line without a SKU uses its name, prices are minor units.
A Shopify order is known by its `name` (#1001), as in Shopify's CSV export; a WooCommerce
order by its `number`. Cancelled, unpaid, refunded or voided orders are not stored (the
importers skip them too). A payload that cannot be read raises `MalformedPayloadError`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from tactful.domain.catalog import Product, Sku
from tactful.domain.customers import CustomerId
from tactful.domain.money import Money, parse_minor
from tactful.domain.orders import Order, OrderId, OrderLine

Platform = Literal["shopify", "woocommerce"]
SHOPIFY_SKIPPED = {"pending": "unpaid", "voided": "voided", "refunded": "refunded"}
WOO_STORED = {"processing", "completed"}


class MalformedPayloadError(ValueError):
    """The body is not the platform's order or refund shape; the message says where."""


@dataclass(frozen=True, slots=True)
class PlatformOrder:
    """An order as a platform sent it: ours to store, with its customer's e-mail and items."""

    platform_id: str
    order: Order | None
    skipped: str | None
    email: str | None
    products: tuple[Product, ...]
    country: str | None = None
    """The customer's billing (else shipping) country, as the platform gave it (its code when
    it gives one; stored as the ISO code, `tactful.domain.countries`)."""


@dataclass(frozen=True, slots=True)
class PlatformRefund:
    """Money a platform gave back on one of its orders (found by the platform's order id)."""

    refund_id: str
    platform_order_id: str
    amount: int
    currency: str
    reason: str
    created_at: datetime


def signature_matches(secret: str, body: bytes, presented: str) -> bool:
    """Whether `presented` is base64(HMAC-SHA256(secret, body)), as both platforms sign."""
    if not secret or not presented:
        return False
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(digest), presented.strip().encode())


def _get(payload: Mapping[str, Any], key: str) -> Any:
    if key not in payload or payload[key] is None:
        raise MalformedPayloadError(f"{key}: missing")
    return payload[key]


def _when(text: Any, key: str) -> datetime:
    try:
        value = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise MalformedPayloadError(f"{key}: not a date: {text!r}") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _minor(text: Any, currency: str, key: str) -> int:
    try:
        return parse_minor(str(text), currency)
    except ValueError:
        raise MalformedPayloadError(f"{key}: not an amount: {text!r}") from None


def _email(text: Any) -> str | None:
    email = str(text or "").strip().lower()
    return email or None


def _country(*addresses: Any) -> str | None:
    """The first address's country: Shopify's code (`country_code`) before its name,
    WooCommerce's code (its `country` field holds the code)."""
    for address in addresses:
        if isinstance(address, Mapping):
            found = str(address.get("country_code") or address.get("country") or "").strip()
            if found:
                return found[:64]
    return None


def _lines(
    items: Any, currency: str, price_key: str
) -> tuple[tuple[OrderLine, ...], tuple[Product, ...]]:
    if not isinstance(items, list) or not items:
        raise MalformedPayloadError("line_items: no lines")
    lines: list[OrderLine] = []
    products: dict[str, Product] = {}
    for n, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise MalformedPayloadError(f"line_items.{n}: not an object")
        name = str(item.get("title") or item.get("name") or "").strip()
        sku = Sku(str(item.get("sku") or "").strip() or name)
        if not sku:
            raise MalformedPayloadError(f"line_items.{n}: neither sku nor name")
        quantity = _get(item, "quantity")
        if not isinstance(quantity, int) or quantity <= 0:
            continue  # a removed line (quantity 0) is not bought
        price = Money(_minor(_get(item, price_key), currency, f"line_items.{n}.price"), currency)
        lines.append(OrderLine(sku, quantity, price))
        products.setdefault(sku, Product(sku, name or sku, price))
    if not lines:
        raise MalformedPayloadError("line_items: no line with a quantity")
    return tuple(lines), tuple(products.values())


def shopify_order(payload: Mapping[str, Any]) -> PlatformOrder:
    """A Shopify `orders/create` or `orders/updated` payload."""
    platform_id = str(_get(payload, "id"))
    currency = str(_get(payload, "currency")).upper()
    email = _email(payload.get("email") or (payload.get("customer") or {}).get("email"))
    lines, products = _lines(_get(payload, "line_items"), currency, "price")
    skipped = SHOPIFY_SKIPPED.get(str(payload.get("financial_status") or ""))
    if payload.get("cancelled_at"):
        skipped = "cancelled"
    order = Order(
        OrderId(str(payload.get("name") or platform_id)),
        _when(_get(payload, "created_at"), "created_at"),
        lines,
        CustomerId(email) if email else None,
    )
    country = _country(
        payload.get("billing_address"),
        payload.get("shipping_address"),
        (payload.get("customer") or {}).get("default_address"),
    )
    return PlatformOrder(platform_id, None if skipped else order, skipped, email, products, country)


def shopify_refund(payload: Mapping[str, Any], currency: str) -> PlatformRefund:
    """A Shopify `refunds/create` payload: its successful refund transactions, summed."""
    transactions = payload.get("transactions") or []
    amount = sum(
        _minor(t.get("amount", "0"), currency, "transactions.amount")
        for t in transactions
        if isinstance(t, Mapping) and t.get("kind") == "refund" and t.get("status") == "success"
    )
    if not transactions:
        amount = sum(
            _minor(item.get("subtotal", "0"), currency, "refund_line_items.subtotal")
            for item in payload.get("refund_line_items") or []
            if isinstance(item, Mapping)
        )
    return PlatformRefund(
        f"shopify-refund-{_get(payload, 'id')}",
        str(_get(payload, "order_id")),
        amount,
        currency,
        str(payload.get("note") or "refunded in Shopify"),
        _when(_get(payload, "created_at"), "created_at"),
    )


def refund_currency(payload: Mapping[str, Any]) -> str:
    """The currency of a Shopify refund, from its transactions (the shop's when absent)."""
    for transaction in payload.get("transactions") or []:
        if isinstance(transaction, Mapping) and transaction.get("currency"):
            return str(transaction["currency"]).upper()
    return ""


def woocommerce_order(payload: Mapping[str, Any]) -> tuple[PlatformOrder, list[PlatformRefund]]:
    """A WooCommerce `order.created` / `order.updated` payload, with the refunds it lists."""
    platform_id = str(_get(payload, "id"))
    currency = str(_get(payload, "currency")).upper()
    email = _email((payload.get("billing") or {}).get("email"))
    lines, products = _lines(_get(payload, "line_items"), currency, "price")
    status = str(_get(payload, "status"))
    created = _when(payload.get("date_created_gmt") or _get(payload, "date_created"), "date")
    order = Order(
        OrderId(str(payload.get("number") or platform_id)),
        created,
        lines,
        CustomerId(email) if email else None,
    )
    skipped = None if status in WOO_STORED else status
    refunds = [
        PlatformRefund(
            f"woocommerce-refund-{_get(refund, 'id')}",
            platform_id,
            abs(_minor(_get(refund, "total"), currency, "refunds.total")),
            currency,
            str(refund.get("reason") or "refunded in WooCommerce"),
            created,
        )
        for refund in payload.get("refunds") or []
        if isinstance(refund, Mapping)
    ]
    country = _country(payload.get("billing"), payload.get("shipping"))
    stored = PlatformOrder(
        platform_id, None if skipped else order, skipped, email, products, country
    )
    return stored, refunds
