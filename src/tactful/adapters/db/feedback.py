"""`FeedbackStore` on SQL: insert once by id (first writer wins), read by time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from tactful.adapters.db.repositories._common import utc
from tactful.adapters.db.repositories.events import insert_ignoring
from tactful.adapters.db.tables_measurement import feedback as table
from tactful.domain.feedback import Feedback

__all__ = ["SqlFeedbackStore"]


def _row(feedback: Feedback) -> dict[str, Any]:
    return {
        "feedback_id": feedback.feedback_id,
        "order_id": feedback.order_id,
        "customer_id": feedback.customer_id,
        "rating": feedback.rating,
        "comment": feedback.comment,
        "offer_ids": list(feedback.offer_ids),
        "source": feedback.source,
        "created_at": feedback.created_at,
    }


def _feedback(row: Any) -> Feedback:
    return Feedback(
        row.feedback_id,
        row.order_id,
        row.customer_id,
        int(row.rating),
        row.comment,
        tuple(row.offer_ids or ()),
        row.source,
        utc(row.created_at),
    )


class SqlFeedbackStore:
    """`tactful.services.ports.feedback.FeedbackStore` on a SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, feedback: Feedback) -> tuple[Feedback, bool]:
        with self.engine.begin() as connection:
            statement = insert_ignoring(connection, table).values(**_row(feedback))
            inserted = connection.execute(statement.returning(table.c.feedback_id)).first()
            stored = connection.execute(
                select(table).where(table.c.feedback_id == feedback.feedback_id)
            ).one()
        return _feedback(stored), inserted is not None

    def ratings(self, *, since: datetime, until: datetime) -> list[Feedback]:
        query = select(table).where(
            table.c.created_at >= utc(since), table.c.created_at < utc(until)
        )
        with self.engine.connect() as connection:
            return [_feedback(row) for row in connection.execute(query)]
