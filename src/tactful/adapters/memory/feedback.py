"""`FeedbackStore` in memory, for tests."""

from __future__ import annotations

from datetime import datetime

from tactful.adapters.memory._common import utc
from tactful.domain.feedback import Feedback

__all__ = ["MemoryFeedbackStore"]


class MemoryFeedbackStore:
    """`tactful.services.ports.feedback.FeedbackStore` over a dict."""

    def __init__(self) -> None:
        self.stored: dict[str, Feedback] = {}

    def add(self, feedback: Feedback) -> tuple[Feedback, bool]:
        stored = self.stored.setdefault(feedback.feedback_id, feedback)
        return stored, stored is feedback

    def ratings(self, *, since: datetime, until: datetime) -> list[Feedback]:
        return [f for f in self.stored.values() if utc(since) <= utc(f.created_at) < utc(until)]
