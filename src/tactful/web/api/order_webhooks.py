"""POST /webhooks/shopify/orders and /webhooks/woocommerce/orders: orders pushed by the shop.

Verified by the HMAC of the raw body (`X-Shopify-Hmac-Sha256`, `X-WC-Webhook-Signature`):
401 and nothing stored when it does not match; 400, logged with the delivery's id, when the
body is not an order; 200 once stored (a repeat stores nothing new); 404 when no secret is
configured for the platform. Both are also answered straight from ASGI
(`serve_order_webhook_fast`, see `tactful.web.fast_path`): a shop sends one per order.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope

from tactful.domain.platform_orders import Platform
from tactful.services.order_webhooks import (
    MalformedPayloadError,
    SignatureError,
    WebhookNotSetUpError,
)
from tactful.web.deps import StateDep
from tactful.web.fast_path import Answer, header, read_body, too_large
from tactful.web.state import AppState

router = APIRouter(tags=["webhooks"])
log = logging.getLogger("tactful.webhooks")

HEADERS: dict[Platform, tuple[bytes, bytes, bytes]] = {
    "shopify": (b"x-shopify-hmac-sha256", b"x-shopify-topic", b"x-shopify-webhook-id"),
    "woocommerce": (
        b"x-wc-webhook-signature",
        b"x-wc-webhook-topic",
        b"x-wc-webhook-delivery-id",
    ),
}
"""Per platform: the signature, topic and delivery-id headers."""
PATHS: dict[str, Platform] = {
    "/webhooks/shopify/orders": "shopify",
    "/webhooks/woocommerce/orders": "woocommerce",
}
PING = {"received": True, "ping": True}


async def answer_webhook(
    state: AppState, platform: Platform, topic: str, body: bytes, signature: str, id_: str
) -> tuple[int, dict[str, Any]]:
    """Status and JSON body for one delivery (the store runs off the event loop)."""
    if platform == "woocommerce" and topic == "" and body.startswith(b"webhook_id="):
        return 200, PING  # WooCommerce sends this when the webhook is set up
    try:
        received = await run_in_threadpool(
            state.order_webhooks.receive, platform, topic, body, signature
        )
    except WebhookNotSetUpError as exc:
        return 404, {"error": "not_found", "detail": str(exc)}
    except SignatureError as exc:
        return 401, {"error": "invalid_signature", "detail": str(exc)}
    except MalformedPayloadError as exc:
        log.warning("%s webhook %s (%s) is malformed: %s", platform, id_ or "-", topic, exc)
        return 400, {"error": "bad_request", "detail": str(exc)}
    return 200, received.body()


async def serve_order_webhook_fast(state: AppState, scope: Scope, receive: Receive) -> Answer:
    """Either webhook route straight from ASGI, with the same answers as the routes below."""
    platform = PATHS[scope["path"]]
    limit = state.settings.max_body_bytes
    body = await read_body(scope, receive, limit)
    if body is None:
        return 413, too_large(limit), ()
    signature, topic, delivery = (_text(header(scope, name)) for name in HEADERS[platform])
    status, answer = await answer_webhook(state, platform, topic, body, signature, delivery)
    return status, orjson.dumps(answer), ()


def _text(raw: bytes | None) -> str:
    return "" if raw is None else raw.decode("latin-1")


@router.post("/webhooks/shopify/orders", response_model=None)
async def shopify_orders(
    state: StateDep,
    request: Request,
    signature: Annotated[str, Header(alias="X-Shopify-Hmac-Sha256")] = "",
    topic: Annotated[str, Header(alias="X-Shopify-Topic")] = "",
    webhook_id: Annotated[str, Header(alias="X-Shopify-Webhook-Id")] = "",
) -> JSONResponse:
    """Shopify's `orders/create`, `orders/updated` and `refunds/create`, stored once by id."""
    body = await request.body()
    status, answer = await answer_webhook(state, "shopify", topic, body, signature, webhook_id)
    return JSONResponse(answer, status)


@router.post("/webhooks/woocommerce/orders", response_model=None)
async def woocommerce_orders(
    state: StateDep,
    request: Request,
    signature: Annotated[str, Header(alias="X-WC-Webhook-Signature")] = "",
    topic: Annotated[str, Header(alias="X-WC-Webhook-Topic")] = "",
    delivery_id: Annotated[str, Header(alias="X-WC-Webhook-Delivery-ID")] = "",
) -> JSONResponse:
    """WooCommerce's `order.created` and `order.updated` (with the refunds they list)."""
    body = await request.body()
    status, answer = await answer_webhook(state, "woocommerce", topic, body, signature, delivery_id)
    return JSONResponse(answer, status)
