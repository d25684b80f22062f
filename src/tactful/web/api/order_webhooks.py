"""POST /webhooks/shopify/orders and /webhooks/woocommerce/orders: orders pushed by the shop.

Verified by the HMAC of the raw body (`X-Shopify-Hmac-Sha256`, `X-WC-Webhook-Signature`):
401 and nothing stored when it does not match; 400, logged with the delivery's id, when the
body is not an order; 200 once stored (a repeat stores nothing new); 404 when no secret is
configured for the platform.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from tactful.domain.platform_orders import Platform
from tactful.services.order_webhooks import (
    MalformedPayloadError,
    SignatureError,
    WebhookNotSetUpError,
)
from tactful.web.deps import StateDep

router = APIRouter(tags=["webhooks"])
log = logging.getLogger("tactful.webhooks")


async def _receive(
    state: StateDep, request: Request, platform: Platform, topic: str, signature: str, id_: str
) -> JSONResponse:
    body = await request.body()
    try:
        received = await run_in_threadpool(
            state.order_webhooks.receive, platform, topic, body, signature
        )
    except WebhookNotSetUpError as exc:
        return JSONResponse({"error": "not_found", "detail": str(exc)}, 404)
    except SignatureError as exc:
        return JSONResponse({"error": "invalid_signature", "detail": str(exc)}, 401)
    except MalformedPayloadError as exc:
        log.warning("%s webhook %s (%s) is malformed: %s", platform, id_ or "-", topic, exc)
        return JSONResponse({"error": "bad_request", "detail": str(exc)}, 400)
    return JSONResponse(received.body(), 200)


@router.post("/webhooks/shopify/orders", response_model=None)
async def shopify_orders(
    state: StateDep,
    request: Request,
    signature: Annotated[str, Header(alias="X-Shopify-Hmac-Sha256")] = "",
    topic: Annotated[str, Header(alias="X-Shopify-Topic")] = "",
    webhook_id: Annotated[str, Header(alias="X-Shopify-Webhook-Id")] = "",
) -> JSONResponse:
    """Shopify's `orders/create`, `orders/updated` and `refunds/create`, stored once by id."""
    return await _receive(state, request, "shopify", topic, signature, webhook_id)


@router.post("/webhooks/woocommerce/orders", response_model=None)
async def woocommerce_orders(
    state: StateDep,
    request: Request,
    signature: Annotated[str, Header(alias="X-WC-Webhook-Signature")] = "",
    topic: Annotated[str, Header(alias="X-WC-Webhook-Topic")] = "",
    delivery_id: Annotated[str, Header(alias="X-WC-Webhook-Delivery-ID")] = "",
) -> JSONResponse:
    """WooCommerce's `order.created` and `order.updated` (with the refunds they list)."""
    if topic == "" and (await request.body()).startswith(b"webhook_id="):
        return JSONResponse({"received": True, "ping": True}, 200)  # sent when it is set up
    return await _receive(state, request, "woocommerce", topic, signature, delivery_id)
