"""Where post-purchase ratings are kept."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from tactful.domain.feedback import Feedback


class FeedbackStore(Protocol):
    """Ratings stored once by id, read back by id and by time."""

    def add(self, feedback: Feedback) -> tuple[Feedback, bool]:
        """Store `feedback` unless its id is taken: what is stored under the id, and whether
        this call stored it."""
        ...

    def ratings(self, *, since: datetime, until: datetime) -> list[Feedback]:
        """Every rating given in [since, until)."""
        ...
