"""`refund.created` is queued in the refund's own transaction (outbox), on every database.

A failure injected between the refund write and its message (the outbox refusing) must leave
neither: before, the message was published after the refund had committed, so a crash between
the two lost it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest

from tactful.domain.clock import FixedClock
from tactful.domain.customers import CustomerId
from tactful.domain.money import Money
from tactful.domain.orders import Order, OrderId, OrderLine
from tactful.domain.refunds import RefundRequest
from tactful.services.ingest import Ingest
from tactful.services.ports.storage import Database
from tactful.services.refunds import Refunds

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


class _Outbox:
    """The transaction's outbox, recording what is queued, or failing like a crash would."""

    def __init__(self, inner: Any, queued: list[tuple[str, dict[str, Any]]], fail: bool) -> None:
        self.inner, self.queued, self.fail = inner, queued, fail

    def enqueue(self, event_type: str, payload: str, at: datetime) -> list[str]:
        if self.fail:
            raise RuntimeError("crashed before the message was queued")
        self.queued.append((event_type, json.loads(payload)))
        ids: list[str] = self.inner.enqueue(event_type, payload, at)
        return ids


class _Tx:
    def __init__(self, tx: Any, outbox: _Outbox) -> None:
        self._tx, self.outbox = tx, outbox

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)


class Watched:
    """A database whose transactions' outboxes are recorded (and can be made to fail)."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.queued: list[tuple[str, dict[str, Any]]] = []
        self.fail = False

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with self.database.transaction() as tx:
            pending: list[tuple[str, dict[str, Any]]] = []
            yield _Tx(tx, _Outbox(tx.outbox, pending, self.fail))
        self.queued += pending  # only what committed


@pytest.fixture
def watched(database: Database) -> Watched:
    line = OrderLine("MAT", 2, Money(1500, "GBP"))  # type: ignore[arg-type]
    order = Order(OrderId("o-1"), NOW, (line,), CustomerId("c1"))
    Ingest(database, FixedClock(NOW)).orders([order])
    return Watched(database)


def test_a_refund_and_its_refund_created_commit_together(watched: Watched) -> None:
    refunds = Refunds(watched, FixedClock(NOW), {})
    result = refunds.refund("o-1", RefundRequest(amount=500, reason="damaged"), refund_id="r-1")
    assert result.created
    assert watched.queued == [
        (
            "refund.created",
            {
                "type": "refund.created",
                "timestamp": "2026-03-01T12:00:00+00:00",
                "data": {
                    "refund_id": "r-1",
                    "order_id": "o-1",
                    "amount": 500,
                    "currency": "GBP",
                    "reason": "damaged",
                    "status": "succeeded",
                    "gateway_ref": None,
                    "lines": None,
                    "created_at": "2026-03-01T12:00:00Z",
                },
            },
        )
    ]
    again = refunds.refund("o-1", RefundRequest(amount=500), refund_id="r-1")
    assert not again.created
    assert len(watched.queued) == 1  # a repeat queues nothing


def test_a_crash_between_the_refund_and_its_message_leaves_neither(watched: Watched) -> None:
    refunds = Refunds(watched, FixedClock(NOW), {})
    watched.fail = True
    with pytest.raises(RuntimeError, match="crashed"):
        refunds.refund("o-1", RefundRequest(amount=500), refund_id="r-1")
    with watched.database.transaction() as tx:
        assert tx.refunds.get_refund("r-1") is None
    assert watched.queued == []
    watched.fail = False  # the retry (same id) makes the refund and its message, once
    assert refunds.refund("o-1", RefundRequest(amount=500), refund_id="r-1").created
    assert [event for event, _body in watched.queued] == ["refund.created"]
