"""POST /v1/feedback: a 1-5 rating of an order (publishable key), idempotent by id."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from tactful.domain.feedback import MAX_COMMENT, Feedback, FeedbackError
from tactful.services.request_fields import NO_CONTROL_CHARACTERS, NO_NUL, Identifier
from tactful.web.deps import AnyKey, StateDep

router = APIRouter(prefix="/v1/feedback", tags=["feedback"])

_STATUS = {"unknown_order": 404, "id_conflict": 409}


class FeedbackIn(BaseModel):
    """A rating of an order; sending the same `id` again stores nothing more."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=255, pattern=NO_CONTROL_CHARACTERS)
    order_id: Identifier
    rating: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=MAX_COMMENT, pattern=NO_NUL)


class FeedbackOut(BaseModel):
    """A stored rating, with the customer and the offers of the order it rates."""

    id: str
    order_id: str
    customer_id: str | None
    rating: int
    comment: str
    offer_ids: list[str]
    source: str
    created_at: datetime


def _out(stored: Feedback) -> FeedbackOut:
    return FeedbackOut(
        id=stored.feedback_id,
        order_id=stored.order_id,
        customer_id=stored.customer_id,
        rating=stored.rating,
        comment=stored.comment,
        offer_ids=list(stored.offer_ids),
        source=stored.source,
        created_at=stored.created_at,
    )


@router.post(
    "",
    status_code=201,
    response_model=FeedbackOut,
    responses={200: {"description": "already stored under this id"}, 404: {}, 409: {}},
)
def post_feedback(state: StateDep, _key: AnyKey, body: FeedbackIn) -> FeedbackOut | JSONResponse:
    """Store a post-purchase rating (1-5, optional comment) of a stored order: 201 once, 200
    with the same rating when the id comes again, 409 when it comes with a different one."""
    try:
        stored, created = state.feedback.submit(
            feedback_id=body.id,
            order_id=body.order_id,
            rating=body.rating,
            comment=body.comment,
            source="api",
        )
    except FeedbackError as exc:
        content: dict[str, Any] = {
            "error": exc.code,
            "detail": f"{exc.field}: {exc.message}",
            "errors": [{"field": exc.field, "message": exc.message, "type": exc.code}],
        }
        return JSONResponse(status_code=_STATUS.get(exc.code, 422), content=content)
    out = _out(stored)
    if created:
        return out
    return JSONResponse(status_code=200, content=out.model_dump(mode="json"))
