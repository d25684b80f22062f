"""POST /webhooks/stripe: Stripe's events, verified by their `Stripe-Signature` header."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from tactful.domain.checkout.page_payments import WebhookPayloadError, WebhookSignatureError
from tactful.services.webhooks import WebhookRetryError, handle_webhook
from tactful.web.deps import StateDep

router = APIRouter(tags=["webhooks"])


@router.post("/webhooks/stripe", response_model=None)
async def stripe_webhook(
    state: StateDep,
    request: Request,
    signature: Annotated[str, Header(alias="Stripe-Signature")] = "",
) -> JSONResponse:
    """Handle a Stripe event once by id: 200 when handled (or handled before), 400 when the
    signature does not verify or a signed body is not an event (`field` names what is wrong),
    404 when Stripe is not this install's gateway, 503 to be sent again later."""
    if state.checkout.page_gateway is None:
        return JSONResponse({"error": "not_found", "detail": "Stripe is not set up"}, 404)
    payload = await request.body()
    try:
        result = await run_in_threadpool(handle_webhook, state.checkout, payload, signature)
    except WebhookSignatureError as exc:
        detail = f"Stripe-Signature: {exc}"
        return JSONResponse({"error": "invalid_signature", "detail": detail}, 400)
    except WebhookPayloadError as exc:
        invalid = {"error": "invalid_event", "detail": str(exc), "field": exc.field}
        return JSONResponse(invalid, 400)
    except WebhookRetryError as exc:
        return JSONResponse({"error": "retry_later", "detail": str(exc)}, 503)
    body = {"received": True, "event_id": result.event_id, "duplicate": result.duplicate}
    return JSONResponse(body, 200)
