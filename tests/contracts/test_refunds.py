"""What every RefundStore promises: SQLite, PostgreSQL and memory alike."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tactful.domain.refunds import OrderRefund, RefundLine, RefundStatus
from tactful.services.ports.storage import Database

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def refund(
    refund_id: str, order_id: str = "o1", amount: int = 500, minutes: int = 0
) -> OrderRefund:
    return OrderRefund(
        refund_id=refund_id,
        order_id=order_id,
        amount=amount,
        currency="GBP",
        reason="damaged",
        status=RefundStatus.PENDING,
        gateway_ref=None,
        lines=None,
        created_at=T0 + timedelta(minutes=minutes),
    )


def test_a_refund_round_trips_with_its_lines(database: Database) -> None:
    with_lines = replace(refund("r1"), lines=(RefundLine(1, 2, 300), RefundLine(3, 1, 200)))
    with database.transaction() as tx:
        assert tx.refunds.get_refund("r1") is None
        assert tx.refunds.record_refund(with_lines) == with_lines
    with database.transaction() as tx:
        assert tx.refunds.get_refund("r1") == with_lines
        assert tx.refunds.refunds_of("o1") == [with_lines]


def test_recording_is_idempotent_by_refund_id(database: Database) -> None:
    with database.transaction() as tx:
        first = tx.refunds.record_refund(refund("r1", amount=500))
    with database.transaction() as tx:
        again = tx.refunds.record_refund(refund("r1", amount=900, minutes=5))
    assert again == first
    with database.transaction() as tx:
        assert tx.refunds.refunds_of("o1") == [first]
        assert tx.refunds.refunded_total("o1") == 500


def test_totals_count_pending_and_succeeded_refunds_of_the_order_only(database: Database) -> None:
    with database.transaction() as tx:
        tx.refunds.record_refund(refund("r1", amount=500))
        tx.refunds.record_refund(refund("r2", amount=300, minutes=1))
        tx.refunds.record_refund(refund("r3", amount=200, minutes=2))
        tx.refunds.record_refund(refund("other", order_id="o2", amount=999))
    with database.transaction() as tx:
        done = tx.refunds.finish_refund("r2", status=RefundStatus.SUCCEEDED, gateway_ref="re_1")
        tx.refunds.finish_refund("r3", status=RefundStatus.FAILED, gateway_ref=None)
    assert (done.status, done.gateway_ref, done.amount) == (RefundStatus.SUCCEEDED, "re_1", 300)
    with database.transaction() as tx:
        assert tx.refunds.refunded_total("o1") == 800
        assert tx.refunds.refunded_total("o2") == 999
        assert tx.refunds.refunded_total("missing") == 0
        assert [r.refund_id for r in tx.refunds.refunds_of("o1")] == ["r1", "r2", "r3"]
        assert tx.refunds.refunds_of("missing") == []


def test_finishing_an_unknown_refund_is_an_error(database: Database) -> None:
    with pytest.raises(LookupError), database.transaction() as tx:
        tx.refunds.finish_refund("nope", status=RefundStatus.SUCCEEDED, gateway_ref=None)


def test_a_rolled_back_refund_is_not_stored(database: Database) -> None:
    def fail_after_recording() -> None:
        with database.transaction() as tx:
            tx.refunds.lock_order("o1")
            tx.refunds.record_refund(refund("r1"))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fail_after_recording()
    with database.transaction() as tx:
        assert tx.refunds.get_refund("r1") is None
