"""What every PaymentStore promises: webhook events once, payments in flight settled once,
disputes once; SQLite, PostgreSQL and memory alike."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from tactful.domain.payment_records import Dispute, PendingPayment
from tactful.services.ports.storage import Database

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def pending(
    ref: str, purpose: str = "checkout", offer_id: str = "", minutes: int = 0
) -> PendingPayment:
    at = T0 + timedelta(minutes=minutes)
    details = {"offer_id": offer_id} if offer_id else {"lines": [{"sku": "A", "quantity": 1}]}
    return PendingPayment(
        ref, "stripe", purpose, "co_1", 1900, "GBP", "requires_payment_method", details, at, at
    )


def test_an_event_is_recorded_once(database: Database) -> None:
    with database.transaction() as tx:
        assert not tx.payments.event_seen("evt_1")
        assert tx.payments.record_event("evt_1", gateway="stripe", type="x", at=T0)
        assert tx.payments.event_seen("evt_1")
        assert not tx.payments.record_event("evt_1", gateway="stripe", type="x", at=T0)
    with database.transaction() as tx:
        assert not tx.payments.record_event("evt_1", gateway="stripe", type="x", at=T0)
        assert tx.payments.record_event("evt_2", gateway="stripe", type="x", at=T0)


def test_a_pending_payment_round_trips_and_settles_once(database: Database) -> None:
    with database.transaction() as tx:
        assert tx.payments.get_pending("pi_1") is None
        tx.payments.save_pending(pending("pi_1"))
        tx.payments.save_pending(replace(pending("pi_1"), amount=1))
    with database.transaction() as tx:
        assert tx.payments.get_pending("pi_1") == pending("pi_1")
        assert tx.payments.settle_pending("pi_1", status="succeeded", at=T0 + timedelta(minutes=1))
    with database.transaction() as tx:
        assert not tx.payments.settle_pending("pi_1", status="succeeded", at=T0)
        assert not tx.payments.settle_pending("pi_missing", status="succeeded", at=T0)
        assert not tx.payments.settle_pending("pi_1", status="requires_payment_method", at=T0)
        stored = tx.payments.get_pending("pi_1")
    assert stored is not None
    assert (stored.status, stored.updated_at) == ("succeeded", T0 + timedelta(minutes=1))


def test_the_newest_payment_of_an_offer_is_found(database: Database) -> None:
    with database.transaction() as tx:
        tx.payments.save_pending(pending("pi_c"))
        tx.payments.save_pending(pending("pi_1", "offer", "co_1-u1"))
        tx.payments.save_pending(pending("pi_2", "offer", "co_1-u1", minutes=5))
        tx.payments.save_pending(pending("pi_3", "offer", "co_1-u2", minutes=9))
    with database.transaction() as tx:
        found = tx.payments.pending_for_offer("co_1", "co_1-u1")
        assert found is not None
        assert found.payment_ref == "pi_2"
        assert tx.payments.pending_for_offer("co_1", "co_1-d1") is None
        assert tx.payments.pending_for_offer("co_2", "co_1-u1") is None


def test_a_dispute_is_recorded_once(database: Database) -> None:
    dispute = Dispute("dp_1", "co_1", 1900, "GBP", "fraudulent", "needs_response", T0)
    with database.transaction() as tx:
        assert tx.payments.record_dispute(dispute)
        assert not tx.payments.record_dispute(replace(dispute, amount=5))
    with database.transaction() as tx:
        assert tx.payments.disputes_of("co_1") == [dispute]
        assert tx.payments.disputes_of("co_2") == []
