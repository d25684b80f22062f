"""`FeedbackStore` on every database: stored once by id, read back by time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tactful.adapters.db.feedback import SqlFeedbackStore
from tactful.adapters.db.transaction import SqlDatabase
from tactful.adapters.memory.feedback import MemoryFeedbackStore
from tactful.domain.feedback import Feedback
from tactful.services.ports.feedback import FeedbackStore
from tactful.services.ports.storage import Database

NOW = datetime(2026, 2, 1, 9, tzinfo=UTC)


def store_for(database: Database) -> FeedbackStore:
    if isinstance(database, SqlDatabase):
        return SqlFeedbackStore(database.engine)
    return MemoryFeedbackStore()


def test_the_first_rating_under_an_id_wins_and_reads_back_by_time(database: Database) -> None:
    store = store_for(database)
    first = Feedback("f1", "o1", "ann", 4, "fine", ("o1-u1",), "api", NOW)
    assert store.add(first) == (first, True)
    later = Feedback("f1", "o1", "ann", 1, "changed", (), "page", NOW + timedelta(hours=1))
    assert store.add(later) == (first, False)
    other = Feedback("f2", "o2", None, 5, "", (), "page", NOW + timedelta(days=2))
    store.add(other)
    assert store.ratings(since=NOW, until=NOW + timedelta(days=1)) == [first]
    assert len(store.ratings(since=NOW - timedelta(days=1), until=NOW + timedelta(days=3))) == 2
