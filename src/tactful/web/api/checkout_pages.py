"""Checkout pages over the API: define pages (secret key) and sign links for them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Body, HTTPException, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from tactful.domain.checkout import LinkTerms, PageError
from tactful.services.checkout import (
    CheckoutDeps,
    CheckoutNotFoundError,
    create_link,
    save_page,
)
from tactful.services.checkout import get_page as stored_page
from tactful.services.request_fields import NO_CONTROL_CHARACTERS
from tactful.web.api.path_params import PathIdentifier
from tactful.web.deps import SecretKey, StateDep
from tactful.web.state import AppState

router = APIRouter(prefix="/v1", tags=["checkout"])


def checkout_deps(state: AppState) -> CheckoutDeps:
    """The checkout services' wiring, built once by the container."""
    return state.checkout


def _page_error(exc: PageError) -> JSONResponse:
    return JSONResponse(
        status_code=422,
        content={
            "error": "invalid_request",
            "detail": str(exc),
            "errors": [{"field": p.field, "message": p.message} for p in exc.problems],
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
def get_page(state: StateDep, _key: SecretKey, slug: PathIdentifier) -> dict[str, Any]:
    """A page's stored definition."""
    try:
        return stored_page(checkout_deps(state), slug).to_dict()
    except CheckoutNotFoundError as exc:
        raise HTTPException(404, str(exc)) from None


class LinkRequest(BaseModel):
    """Terms for a signed checkout link."""

    page: str = Field(min_length=1, max_length=64, pattern=NO_CONTROL_CHARACTERS)
    price: int | None = Field(None, ge=0, description="unit price of the main product, minor units")
    sku: str | None = Field(None, min_length=1, max_length=128, pattern=NO_CONTROL_CHARACTERS)
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
