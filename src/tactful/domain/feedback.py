"""Post-purchase satisfaction: a 1-5 rating of an order, with an optional comment.

Stored once by its id; the offers of the order it rates (the lines an accepted offer added)
are kept with it, so satisfaction can be read per offer as well as per customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["MAX_COMMENT", "Feedback", "FeedbackError", "check_feedback"]

MAX_COMMENT = 2000


class FeedbackError(ValueError):
    """Feedback that cannot be stored; `field` names what is wrong."""

    def __init__(self, field: str, message: str, code: str = "invalid_feedback") -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class Feedback:
    """A customer's rating of one order."""

    feedback_id: str
    order_id: str
    customer_id: str | None
    rating: int
    comment: str
    offer_ids: tuple[str, ...]
    source: str
    created_at: datetime

    def same_answer(self, other: Feedback) -> bool:
        """Whether `other` says the same thing (a retry), whenever it was sent."""
        return (self.order_id, self.rating, self.comment) == (
            other.order_id,
            other.rating,
            other.comment,
        )


def check_feedback(rating: int, comment: str) -> None:
    """Refuse a rating outside 1-5 or an overlong comment, naming the field."""
    if not 1 <= rating <= 5:
        raise FeedbackError("rating", "must be a whole number from 1 to 5")
    if len(comment) > MAX_COMMENT:
        raise FeedbackError("comment", f"must be at most {MAX_COMMENT} characters")
