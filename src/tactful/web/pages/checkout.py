"""The hosted checkout pages: HTML for people, JSON for API clients on the same URLs."""

from __future__ import annotations

import math
import uuid
from typing import Annotated
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, FastAPI, Form, Header, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from tactful.domain.catalog import Sku
from tactful.domain.checkout import (
    Branding,
    CheckoutPage,
    InvalidLink,
    LinkProblem,
    PageItem,
    PaymentError,
)
from tactful.services import checkout_offers
from tactful.services.checkout import CheckoutNotFoundError, find_page, view_checkout
from tactful.services.checkout_idempotency import IdempotencyError, Outcome
from tactful.services.checkout_pay import PayForm, pay
from tactful.web.api.checkout_pages import checkout_deps
from tactful.web.card_testing import PayGuard
from tactful.web.deps import StateDep
from tactful.web.page_security import CsrfChecked, CsrfRefusedError
from tactful.web.pages import STATIC_TYPES, render, static_file
from tactful.web.pages.checkout_view import checkout_context, is_test_mode
from tactful.web.pages.stripe_pages import (
    csp_for,
    gateway_unavailable,
    offer_step_response,
    stripe_widget,
)
from tactful.web.state import AppState

router = APIRouter(prefix="/c", include_in_schema=True, tags=["checkout pages"])
SOURCES = {
    "main": "",
    "bump": "Add-on",
    "upsell": "Added after purchase",
    "downsell": "Added after purchase",
}
NO_STORE = {"Cache-Control": "no-store"}


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _html(body: str, status_code: int = 200, *, stripe: object = None) -> HTMLResponse:
    headers = {**NO_STORE, "Content-Security-Policy": csp_for(stripe)}
    return HTMLResponse(body, status_code=status_code, headers=headers)


def _message(
    page: CheckoutPage | None, status_code: int, heading: str, message: str, back: str | None = None
) -> HTMLResponse:
    shown = page or _PLAIN
    return _html(
        render("message.html", page=shown, heading=heading, message=message, back=back, step=0),
        status_code,
    )


_PLAIN = CheckoutPage(
    slug="",
    title="Checkout",
    currency="GBP",
    items=(PageItem(Sku("-")),),
    branding=Branding("Checkout"),
)


def _page_or_none(state: AppState, slug: str) -> CheckoutPage | None:
    return find_page(checkout_deps(state), slug)


_LINK_HEADINGS = {
    LinkProblem.EXPIRED: "This link has expired",
    LinkProblem.OTHER_KEY: "This link is no longer valid",
}


def _invalid_link(page: CheckoutPage | None, problem: LinkProblem, detail: str) -> HTMLResponse:
    heading = _LINK_HEADINGS.get(problem, "This link is invalid")
    return _message(
        page,
        400,
        heading,
        f"{heading}: {detail}. Nothing was charged. Please ask the seller for a new link.",
    )


def _checkout_html(
    state: AppState,
    slug: str,
    query: dict[str, str],
    *,
    form: PayForm | None = None,
    error: Outcome | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    try:
        view = view_checkout(checkout_deps(state), slug, query)
    except CheckoutNotFoundError as exc:
        return _message(_page_or_none(state, slug), 404, "Not found", str(exc))
    except InvalidLink as exc:
        return _invalid_link(_page_or_none(state, slug), exc.problem, exc.detail)
    shown = form or PayForm(email=view.prefill.email, name=view.prefill.name)
    stripe = stripe_widget(state, view)
    body = render(
        "checkout.html",
        **checkout_context(view, shown, stripe),
        error=error,
        idempotency_key=uuid.uuid4().hex,
        link=urlencode(query),
        link_params=list(query.items()),
        quantity_problem=view.prefill.quantity_problem,
        step=2 if error else 1,
        stripe=stripe,
        test_mode=is_test_mode(stripe),
        test_cards=True,
    )
    return _html(body, status_code, stripe=stripe)


@router.get("/static/{name}", include_in_schema=False)
def static(name: str) -> Response:
    """The page's CSS and JavaScript, cacheable."""
    if name not in STATIC_TYPES:
        return Response(status_code=404)
    return Response(
        static_file(name),
        media_type=STATIC_TYPES[name],
        headers={"Cache-Control": "public, max-age=3600"},
    )


@router.get("/{slug}", response_class=HTMLResponse)
def checkout_page(state: StateDep, request: Request, slug: str) -> HTMLResponse:
    """The checkout page for a link; signed terms are verified, prices come from the server."""
    return _checkout_html(state, slug, dict(request.query_params))


@router.post("/{slug}/pay", response_model=None, dependencies=[CsrfChecked])
def pay_page(
    state: StateDep,
    request: Request,
    slug: str,
    idempotency_key: Annotated[str, Form()] = "",
    link: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    card_number: Annotated[str, Form()] = "",
    card_exp: Annotated[str, Form()] = "",
    card_cvc: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "",
    bump: Annotated[list[str] | None, Form()] = None,
    action: Annotated[str, Form()] = "",
    header_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Response:
    """Charge for the cart once per Idempotency-Key (form field or header)."""
    form = PayForm(
        link,
        email.strip(),
        name.strip(),
        card_number,
        card_exp,
        card_cvc,
        quantity,
        tuple(bump or ()),
    )
    if action == "update":  # no JavaScript: show the totals for the ticked bumps, charge nothing
        query = dict(parse_qsl(link, keep_blank_values=True))
        return _checkout_html(state, slug, query, form=form)
    guard: PayGuard = request.app.state.pay_guard
    address, card = request.client.host if request.client else "", guard.card(card_number)
    if (wait := guard.wait_seconds(address, slug, card)) > 0:
        return _too_many_attempts(request, state, slug, wait)
    try:
        outcome = pay(checkout_deps(state), slug, form, idempotency_key or header_key)
        guard.record(address, slug, card, declined=outcome.http_status == 402)
    except IdempotencyError as exc:
        return _idempotency_error(request, state, slug, exc)
    except PaymentError as exc:  # the gateway could not be reached: nothing was charged
        return gateway_unavailable(request, exc)
    if _wants_json(request):
        return JSONResponse(outcome.to_dict(), status_code=outcome.http_status)
    if outcome.status == "paid":
        return RedirectResponse(f"/c/{slug}/orders/{outcome.order_id}", status_code=303)
    if outcome.status == "requires_confirmation":  # only the Payment Element's script can
        heading, text = "Payment not taken", "This card form needs JavaScript. Nothing was charged."
        return _message(_page_or_none(state, slug), 400, heading, text)
    query = dict(parse_qsl(link, keep_blank_values=True))
    if outcome.status == "invalid_link":  # the link page says why (expired, re-keyed...)
        return _checkout_html(state, slug, query, form=form, error=outcome, status_code=400)
    if outcome.status == "not_found":
        return _message(_page_or_none(state, slug), 404, "Not found", outcome.message)
    return _checkout_html(
        state, slug, query, form=form, error=outcome, status_code=outcome.http_status
    )


def _too_many_attempts(request: Request, state: AppState, slug: str, wait: float) -> Response:
    """429: card testing is held off before anything reaches the gateway."""
    headers = {"Retry-After": str(math.ceil(wait))}
    text = "Too many payment attempts were declined. Nothing was charged; try again later."
    if _wants_json(request):
        body = {"error": "too_many_attempts", "detail": f"card_number: {text}"}
        return JSONResponse(body, status_code=429, headers=headers)
    page = _message(_page_or_none(state, slug), 429, "Payment not taken", text)
    page.headers.update(headers)
    return page


def _idempotency_error(
    request: Request, state: AppState, slug: str, exc: IdempotencyError
) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": exc.code, "detail": exc.message}, status_code=exc.status)
    return _message(
        _page_or_none(state, slug),
        exc.status,
        "Request not carried out",
        f"{exc.message}. Nothing more was charged.",
    )


@router.get("/{slug}/orders/{order_id}", response_class=HTMLResponse)
def order_page(state: StateDep, slug: str, order_id: str, notice: str = "") -> HTMLResponse:
    """The one offer shown now, or the thank-you page with every line and the total."""
    try:
        view = checkout_offers.funnel_view(checkout_deps(state), slug, order_id)
    except CheckoutNotFoundError as exc:
        return _message(_page_or_none(state, slug), 404, "Not found", str(exc))
    notice = _NOTICES.get(notice, "")
    page = view.funnel.page
    if isinstance(view, checkout_offers.OfferView):
        return _html(
            render(
                "offer.html",
                page=page,
                view=view,
                notice=notice,
                idempotency_key=uuid.uuid4().hex,
                step=3,
            )
        )
    return _html(
        render("thank_you.html", page=page, receipt=view, sources=SOURCES, notice=notice, step=4)
    )


_NOTICES = {
    "added": "Added to your order.",
    "already": "This offer was already added to your order; nothing more was charged.",
    "rated": "Thank you for your rating.",
    "rating_refused": "That rating could not be taken: choose a number from 1 to 5.",
}


@router.post(
    "/{slug}/orders/{order_id}/offers/{offer_id}/accept",
    response_model=None,
    dependencies=[CsrfChecked],
)
def accept_offer(
    state: StateDep,
    request: Request,
    slug: str,
    order_id: str,
    offer_id: str,
    idempotency_key: Annotated[str, Form()] = "",
    header_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Response:
    """One click: charge the saved card for this offer, exactly once."""
    try:
        outcome = checkout_offers.accept(
            checkout_deps(state), slug, order_id, offer_id, idempotency_key or header_key
        )
    except IdempotencyError as exc:
        return _idempotency_error(request, state, slug, exc)
    except CheckoutNotFoundError as exc:
        return _not_found(request, state, slug, str(exc))
    if _wants_json(request):
        return JSONResponse(outcome.to_dict(), status_code=outcome.http_status)
    if (confirm_step := offer_step_response(slug, outcome)) is not None:
        return confirm_step
    if outcome.status in {"accepted", "already_accepted"}:
        notice = "added" if outcome.status == "accepted" else "already"
        return RedirectResponse(f"/c/{slug}/orders/{order_id}?notice={notice}", status_code=303)
    back = f"/c/{slug}/orders/{order_id}"
    heading = "This offer has expired" if outcome.status == "offer_expired" else "Not added"
    return _message(
        _page_or_none(state, slug), outcome.http_status, heading, outcome.message, back=back
    )


@router.post(
    "/{slug}/orders/{order_id}/offers/{offer_id}/decline",
    response_model=None,
    dependencies=[CsrfChecked],
)
def decline_offer(
    state: StateDep, request: Request, slug: str, order_id: str, offer_id: str
) -> Response:
    """'No thanks': nothing is charged; the downsell or the next step follows."""
    try:
        outcome = checkout_offers.decline(checkout_deps(state), slug, order_id, offer_id)
    except CheckoutNotFoundError as exc:
        return _not_found(request, state, slug, str(exc))
    if _wants_json(request):
        return JSONResponse(outcome.to_dict(), status_code=outcome.http_status)
    return RedirectResponse(f"/c/{slug}/orders/{order_id}", status_code=303)


def install_csrf_handler(app: FastAPI) -> None:
    """A refused CSRF check: 403, as a page for people and JSON for API clients."""

    async def _refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, CsrfRefusedError)
        if _wants_json(request):
            body = {"error": "csrf_failed", "detail": exc.message}
            return JSONResponse(body, status_code=403)
        slug = request.path_params.get("slug", "")
        state = request.app.state.tactful
        page = await run_in_threadpool(_page_or_none, state, slug) if slug else None
        return _message(page, 403, "Nothing was done", exc.message)

    app.add_exception_handler(CsrfRefusedError, _refused)


def _not_found(request: Request, state: AppState, slug: str, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": "not_found", "detail": message}, status_code=404)
    return _message(_page_or_none(state, slug), 404, "Not found", message)
