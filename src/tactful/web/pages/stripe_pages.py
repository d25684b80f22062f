"""The pages of a checkout that takes real cards with Stripe's Payment Element.

Stripe.js is the one external script, and only these pages (the checkout form and an upsell's
on-session confirmation) allow it in their Content-Security-Policy; every other hosted page
allows scripts from tactful itself only.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from tactful.domain.checkout import CheckoutPage, PaymentError
from tactful.services import page_payments
from tactful.services.checkout import CheckoutView, find_page
from tactful.services.checkout_idempotency import Outcome
from tactful.web.api.checkout_pages import checkout_deps
from tactful.web.deps import StateDep
from tactful.web.page_security import CsrfChecked, page_csp
from tactful.web.pages import render
from tactful.web.state import AppState

router = APIRouter(prefix="/c", include_in_schema=False)

NO_STORE = {"Cache-Control": "no-store"}


def csp_for(stripe: object) -> str:
    """The page's script policy: Stripe's only where the page takes real cards."""
    return page_csp(stripe=bool(stripe))


def stripe_widget(state: AppState, view: CheckoutView) -> dict[str, Any] | None:
    """What the checkout page needs to show the Payment Element; None for the test gateway."""
    gateway = state.checkout.page_gateway
    if gateway is None:
        return None
    amounts = {key: money.amount for key, money in view.totals_by_choice().items()}
    return {
        "publishable_key": gateway.publishable_key,
        "script_url": gateway.script_url,
        "save_card": bool(view.cart.page.upsells),
        "amounts": json.dumps(amounts),
    }


def _page(state: AppState, slug: str) -> CheckoutPage | None:
    return find_page(checkout_deps(state), slug)


def _message(state: AppState, slug: str, status: int, heading: str, message: str) -> Response:
    page = _page(state, slug)
    if page is None:
        return HTMLResponse(message, status_code=status, headers=NO_STORE)
    body = render("message.html", page=page, heading=heading, message=message, back=None, step=0)
    headers = {**NO_STORE, "Content-Security-Policy": page_csp()}
    return HTMLResponse(body, status_code=status, headers=headers)


UNAVAILABLE = "The payment provider could not be reached. Nothing was charged; please try again."


def gateway_unavailable(request: Request, exc: PaymentError) -> Response:
    """503 when the gateway cannot be reached; the key is released, so a retry runs again."""
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"status": exc.code, "message": UNAVAILABLE}, status_code=503)
    return HTMLResponse(UNAVAILABLE, status_code=503, headers=NO_STORE)


@router.get("/{slug}/payments/{payment_ref}/return", response_model=None)
def payment_return(state: StateDep, slug: str, payment_ref: str) -> Response:
    """Back from Stripe: the order page once Stripe says the payment succeeded."""
    try:
        outcome = page_payments.payment_returned(checkout_deps(state), slug, payment_ref)
    except PaymentError:
        message = "We could not check your payment with the provider. Reload this page in a moment."
        return _message(state, slug, 503, "Confirming your payment", message)
    if outcome.status == "paid" and outcome.order_id:
        return RedirectResponse(f"/c/{slug}/orders/{outcome.order_id}", status_code=303)
    if outcome.status == "processing":
        return _message(
            state, slug, 202, "Confirming your payment",
            "Your payment is being confirmed by your bank. Reload this page in a moment; "
            "you will not be charged twice.",
        )  # fmt: skip
    heading = "Not found" if outcome.status == "not_found" else "Payment not taken"
    return _message(state, slug, outcome.http_status, heading, outcome.message)


def offer_step_response(slug: str, outcome: Outcome) -> Response | None:
    """The redirect to an upsell's confirmation step, when the bank asked for one."""
    if outcome.status != "requires_action":
        return None
    url = outcome.data.get("confirm_url") or f"/c/{slug}/orders/{outcome.order_id}"
    return RedirectResponse(url, status_code=303)


@router.get("/{slug}/orders/{order_id}/offers/{offer_id}/confirm", response_model=None)
def confirm_offer_page(state: StateDep, slug: str, order_id: str, offer_id: str) -> Response:
    """The on-session confirmation of an upsell the bank wants the customer to approve."""
    deps = checkout_deps(state)
    waiting = page_payments.offer_awaiting(deps, order_id, offer_id)
    page, gateway = _page(state, slug), deps.page_gateway
    if waiting is None or page is None or gateway is None:
        return RedirectResponse(f"/c/{slug}/orders/{order_id}", status_code=303)
    body = render(
        "offer_confirm.html",
        page=page,
        step=3,
        amount=waiting.amount,
        product_name=waiting.name,
        publishable_key=gateway.publishable_key,
        script_url=gateway.script_url,
        client_secret=waiting.client_secret,
        payment_method_id=waiting.payment_method_id,
        confirmed_url=f"/c/{slug}/orders/{order_id}/offers/{offer_id}/confirmed",
        decline_url=f"/c/{slug}/orders/{order_id}/offers/{offer_id}/decline",
    )
    return HTMLResponse(
        body, headers={**NO_STORE, "Content-Security-Policy": page_csp(stripe=True)}
    )


@router.post(
    "/{slug}/orders/{order_id}/offers/{offer_id}/confirmed",
    response_model=None,
    dependencies=[CsrfChecked],
)
def offer_confirmed(state: StateDep, slug: str, order_id: str, offer_id: str) -> Response:
    """Stripe.js confirmed: add the offer once Stripe says it succeeded."""
    outcome = page_payments.offer_confirmed(checkout_deps(state), slug, order_id, offer_id)
    if outcome.status == "accepted":
        return RedirectResponse(f"/c/{slug}/orders/{order_id}?notice=added", status_code=303)
    return _message(state, slug, outcome.http_status, "Not added", outcome.message)
