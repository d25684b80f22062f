"""POST /c/{slug}/orders/{id}/feedback: the thank-you page's 1-5 rating, once per order."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse

from tactful.domain.feedback import FeedbackError
from tactful.web.deps import StateDep
from tactful.web.page_security import CsrfChecked

router = APIRouter(prefix="/c", tags=["checkout pages"])


@router.post(
    "/{slug}/orders/{order_id}/feedback",
    response_class=RedirectResponse,
    dependencies=[CsrfChecked],
)
def rate_order(
    state: StateDep,
    slug: str,
    order_id: str,
    rating: Annotated[int, Form()] = 0,
    comment: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Store the rating (one per order from the page; sending it again changes nothing),
    then back to the thank-you page with a notice."""
    notice = "rated"
    try:
        state.feedback.submit(
            feedback_id=f"page:{order_id}",
            order_id=order_id,
            rating=rating,
            comment=comment.strip(),
            source="page",
        )
    except FeedbackError as exc:
        notice = "rated" if exc.code == "id_conflict" else "rating_refused"
    return RedirectResponse(f"/c/{slug}/orders/{order_id}?notice={notice}#rate", status_code=303)
