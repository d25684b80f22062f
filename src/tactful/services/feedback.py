"""Post-purchase ratings: checked, linked to the order and its offers, stored once by id."""

from __future__ import annotations

from tactful.domain.clock import Clock
from tactful.domain.feedback import Feedback, FeedbackError, check_feedback
from tactful.services.ports.feedback import FeedbackStore
from tactful.services.ports.storage import Database

__all__ = ["FeedbackService"]


class FeedbackService:
    """Takes a rating of an order from the API or the thank-you page."""

    def __init__(self, database: Database, store: FeedbackStore, clock: Clock) -> None:
        self.database = database
        self.store = store
        self.clock = clock

    def submit(
        self, *, feedback_id: str, order_id: str, rating: int, comment: str = "", source: str
    ) -> tuple[Feedback, bool]:
        """Store the rating (True) or return the one already stored under its id (False).

        FeedbackError names the field: a bad rating or comment, an unknown order, or an id
        already used for a different rating.
        """
        check_feedback(rating, comment)
        with self.database.transaction() as tx:
            order = tx.orders.get_orders([order_id]).get(order_id)
        if order is None:
            raise FeedbackError("order_id", f"no order {order_id!r}", code="unknown_order")
        wanted = Feedback(
            feedback_id=feedback_id,
            order_id=order_id,
            customer_id=order.customer_id,
            rating=rating,
            comment=comment,
            offer_ids=tuple(line.offer_id for line in order.lines if line.offer_id),
            source=source,
            created_at=self.clock.now(),
        )
        stored, created = self.store.add(wanted)
        if not stored.same_answer(wanted):
            raise FeedbackError(
                "id", "already used for a different rating of an order", code="id_conflict"
            )
        return stored, created
