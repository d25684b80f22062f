"""POST /v1/orders/{id}/refunds: give money back, all, some lines or an amount (secret key)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from tactful.domain.refunds import LineRequest, OrderRefund, RefundError, RefundRequest
from tactful.services.refunds import RefundFailedError, RefundNotFoundError
from tactful.services.request_fields import NO_CONTROL_CHARACTERS, NO_NUL
from tactful.web.api.path_params import PathIdentifier
from tactful.web.deps import SecretKey, StateDep

router = APIRouter(prefix="/v1/orders", tags=["refunds"])

MAX_ID_LENGTH = 255


class RefundLineIn(BaseModel):
    """A line to refund: by `line_no` (1-based, as sent) or `sku`; all that is left of it
    unless `quantity` says how many."""

    line_no: int | None = Field(None, ge=1)
    sku: str | None = Field(None, min_length=1, max_length=128, pattern=NO_CONTROL_CHARACTERS)
    quantity: int | None = Field(None, ge=1)


class RefundIn(BaseModel):
    """A refund: `amount` (minor units) or `lines`; neither refunds everything that is left."""

    refund_id: str | None = Field(
        None, min_length=1, max_length=MAX_ID_LENGTH, pattern=NO_CONTROL_CHARACTERS
    )
    amount: int | None = Field(None, ge=1, description="minor units")
    lines: list[RefundLineIn] | None = None
    reason: str = Field("", max_length=500, pattern=NO_NUL)


class RefundLineOut(BaseModel):
    line_no: int
    quantity: int
    amount: int


class RefundOut(BaseModel):
    """A stored refund and what the order has left to refund."""

    refund_id: str
    order_id: str
    amount: int
    currency: str
    reason: str
    status: str
    gateway_ref: str | None
    lines: list[RefundLineOut] | None
    created_at: datetime
    refundable_remaining: int


class RefundsOut(BaseModel):
    refunds: list[RefundOut]
    refundable_remaining: int


def _out(refund: OrderRefund, remaining: int) -> RefundOut:
    lines = None
    if refund.lines is not None:
        lines = [
            RefundLineOut(line_no=x.line_no, quantity=x.quantity, amount=x.amount)
            for x in refund.lines
        ]
    return RefundOut(
        refund_id=refund.refund_id,
        order_id=refund.order_id,
        amount=refund.amount,
        currency=refund.currency,
        reason=refund.reason,
        status=str(refund.status),
        gateway_ref=refund.gateway_ref,
        lines=lines,
        created_at=refund.created_at,
        refundable_remaining=remaining,
    )


def _error(status: int, code: str, field: str | None, message: str) -> JSONResponse:
    body: dict[str, Any] = {"error": code, "detail": f"{field}: {message}" if field else message}
    if field:
        body["errors"] = [{"field": field, "message": message, "type": code}]
    return JSONResponse(status_code=status, content=body)


def refund_id_of(order_id: str, body_id: str | None, header_key: str | None) -> str:
    """The refund's id: as sent in the body, else derived from the Idempotency-Key."""
    key = (header_key or "").strip() or None
    if key is not None and (len(key) > MAX_ID_LENGTH or not key.isprintable()):
        raise RefundError("Idempotency-Key", "too long or not printable", "idempotency_key_invalid")
    if body_id is not None:
        if not body_id.isprintable():
            raise RefundError("refund_id", "must be printable text")
        return body_id
    if key is None:
        raise RefundError(
            "Idempotency-Key",
            "send an Idempotency-Key header or a refund_id, so a retry cannot refund twice",
            "idempotency_key_required",
        )
    digest = hashlib.sha256(f"{order_id}\n{key}".encode()).hexdigest()[:24]
    return f"rf_{digest}"


def _request(body: RefundIn) -> RefundRequest:
    lines = None
    if body.lines is not None:
        lines = tuple(LineRequest(x.line_no, x.sku, x.quantity) for x in body.lines)
        for index, line in enumerate(body.lines):
            if (line.line_no is None) == (line.sku is None):
                raise RefundError(f"lines.{index}", "give either line_no or sku")
    return RefundRequest(body.amount, lines, body.reason.strip())


@router.post("/{order_id}/refunds", status_code=201, response_model=RefundOut)
def create_refund(
    state: StateDep,
    _key: SecretKey,
    order_id: PathIdentifier,
    body: RefundIn,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> RefundOut | JSONResponse:
    """Refund all, some lines or an amount, once per refund id or Idempotency-Key.

    A repeat answers 200 with the first refund. More than what remains refundable is refused
    (422, naming the field) and nothing is stored. An order paid on a checkout page is refunded
    through its gateway; any other order's refund is recorded.
    """
    try:
        refund_id = refund_id_of(order_id, body.refund_id, idempotency_key)
        result = state.refunds.refund(order_id, _request(body), refund_id=refund_id)
    except RefundNotFoundError as exc:
        raise HTTPException(404, str(exc)) from None
    except RefundError as exc:
        status = 400 if exc.field == "Idempotency-Key" else 422
        return _error(status, exc.code, exc.field, exc.message)
    except RefundFailedError as exc:
        return _error(exc.status, exc.code, None, exc.message)
    out = _out(result.refund, result.remaining)
    if result.created:
        return out  # `refund.created` was queued with the refund (see tactful.services.refunds)
    return JSONResponse(status_code=200, content=out.model_dump(mode="json"))


@router.get("/{order_id}/refunds", response_model=RefundsOut)
def list_refunds(state: StateDep, _key: SecretKey, order_id: PathIdentifier) -> RefundsOut:
    """The order's refunds, oldest first, and what remains refundable."""
    try:
        refunds, remaining = state.refunds.refunds_of(order_id)
    except RefundNotFoundError as exc:
        raise HTTPException(404, str(exc)) from None
    return RefundsOut(refunds=[_out(r, remaining) for r in refunds], refundable_remaining=remaining)


class DisputeOut(BaseModel):
    dispute_id: str
    amount: int
    currency: str
    reason: str
    status: str
    created_at: datetime


class DisputesOut(BaseModel):
    """An order is disputed when its customer's bank disputes one of its payments."""

    disputed: bool
    disputes: list[DisputeOut]


@router.get("/{order_id}/disputes", response_model=DisputesOut)
def list_disputes(state: StateDep, _key: SecretKey, order_id: PathIdentifier) -> DisputesOut:
    """Whether the order is disputed, and its disputes (from Stripe's webhooks)."""
    try:
        disputes = state.refunds.disputes_of(order_id)
    except RefundNotFoundError as exc:
        raise HTTPException(404, str(exc)) from None
    return DisputesOut(
        disputed=bool(disputes),
        disputes=[
            DisputeOut(
                dispute_id=d.dispute_id,
                amount=d.amount,
                currency=d.currency,
                reason=d.reason,
                status=d.status,
                created_at=d.created_at,
            )
            for d in disputes
        ],
    )
