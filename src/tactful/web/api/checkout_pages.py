"""Checkout pages over the API: define pages (secret key) and sign links for them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Body, HTTPException, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from tactful.adapters.db.transaction import SqlDatabase
from tactful.adapters.payments import TestModeGateway
from tactful.domain.checkout import CheckoutPage, LinkTerms, PageError
from tactful.domain.clock import Clock, SystemClock
from tactful.services.checkout import (
    BumpSource,
    CheckoutDeps,
    CheckoutNotFoundError,
    EngineBump,
    create_link,
    save_page,
)
from tactful.services.checkout import (
    get_page as stored_page,
)
from tactful.services.checkout_bumps import engine_bumps
from tactful.web.api.decisions import shared_decision_service
from tactful.web.deps import SecretKey, StateDep
from tactful.web.state import AppState

router = APIRouter(prefix="/v1", tags=["checkout"])


def checkout_deps(state: AppState) -> CheckoutDeps:
    """The checkout services' wiring, built once per app (tests may set extras['clock'])."""
    deps = state.extras.get("checkout")
    if isinstance(deps, CheckoutDeps):
        return deps
    clock: Clock = state.extras.get("clock") or SystemClock()
    deps = CheckoutDeps(
        database=SqlDatabase(state.engine),
        gateway=TestModeGateway(state.engine, clock),
        clock=clock,
        link_secret=state.settings.link_secret,
        bump_source=state.extras.get("checkout_bump_source") or _engine_source(state),
    )
    state.extras["checkout"] = deps
    return deps


def _engine_source(state: AppState) -> BumpSource:
    """Engine bumps through the app's one decision service (the same policy and cooldowns)."""

    def source(
        page: CheckoutPage, skus: Sequence[str], customer: str | None
    ) -> Sequence[EngineBump]:
        return engine_bumps(shared_decision_service(state))(page, skus, customer)

    return source


def _page_error(exc: PageError) -> JSONResponse:
    return JSONResponse(
        status_code=422,
        content={
            "error": "invalid_request",
            "detail": str(exc),
            "errors": [{"field": exc.field, "message": exc.message}],
        },
    )


@router.post("/checkout-pages", status_code=status.HTTP_201_CREATED, response_model=None)
def create_page(
    state: StateDep, _key: SecretKey, definition: dict[str, Any] = Body(...)
) -> dict[str, Any] | JSONResponse:
    """Create or replace a checkout page from its definition."""
    try:
        page, created = save_page(checkout_deps(state), definition)
    except PageError as exc:
        return _page_error(exc)
    url = f"{state.settings.base_url}/c/{page.slug}"
    body = {"slug": page.slug, "url": url, "created": created, "page": page.to_dict()}
    return body if created else JSONResponse(status_code=200, content=body)


@router.get("/checkout-pages/{slug}")
def get_page(state: StateDep, _key: SecretKey, slug: str) -> dict[str, Any]:
    """A page's stored definition."""
    try:
        return stored_page(checkout_deps(state), slug).to_dict()
    except CheckoutNotFoundError as exc:
        raise HTTPException(404, str(exc)) from None


class LinkRequest(BaseModel):
    """Terms for a signed checkout link."""

    page: str = Field(min_length=1, max_length=64)
    price: int | None = Field(None, ge=0, description="unit price of the main product, minor units")
    sku: str | None = Field(None, min_length=1, max_length=128)
    quantity: int | None = Field(None, ge=1, le=100)
    customer: str | None = Field(None, min_length=1, max_length=128)
    expires_in_seconds: int = Field(7 * 86400, ge=60, le=366 * 86400)


@router.post("/checkout-links", status_code=status.HTTP_201_CREATED)
def create_checkout_link(state: StateDep, _key: SecretKey, request: LinkRequest) -> dict[str, str]:
    """A URL whose price, product and quantity are signed and expire."""
    terms = LinkTerms(request.price, request.sku, request.quantity, request.customer)
    try:
        url = create_link(
            checkout_deps(state),
            state.settings.base_url,
            request.page,
            terms,
            timedelta(seconds=request.expires_in_seconds),
        )
    except CheckoutNotFoundError as exc:
        raise HTTPException(404, str(exc)) from None
    return {"url": url}
