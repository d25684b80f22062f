"""What every CheckoutStore promises: the claims that make checkout charge at most once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tactful.domain.catalog import Sku
from tactful.domain.checkout import CheckoutOrder
from tactful.domain.customers import CustomerId
from tactful.domain.money import Money
from tactful.domain.orders import LineSource, OfferId, Order, OrderId, OrderLine
from tactful.services.ports.storage import Database

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def paid_order(database: Database, order_id: str = "co_1") -> None:
    """An order paid on page 'shop', as checkout stores it."""
    line = OrderLine(Sku("MAIN"), 1, Money(2500, "GBP"))
    with database.transaction() as tx:
        tx.orders.insert_orders(
            [Order(OrderId(order_id), AT, (line,), CustomerId("c1"))], source="checkout"
        )
        tx.checkout.insert_checkout_order(
            CheckoutOrder(
                order_id, "shop", "c1", "a@b.c", "Ann", "test", "pm_1", "Visa •4242", AT, {}
            )
        )


def test_pages_are_saved_replaced_and_listed(database: Database) -> None:
    with database.transaction() as tx:
        assert tx.checkout.save_page("b-page", {"slug": "b-page", "title": "B"}, at=AT) is True
        assert tx.checkout.save_page("a-page", {"slug": "a-page"}, at=AT) is True
        assert tx.checkout.save_page("b-page", {"slug": "b-page", "title": "B2"}, at=AT) is False
    with database.transaction() as tx:
        assert tx.checkout.load_page("b-page") == {"slug": "b-page", "title": "B2"}
        assert tx.checkout.load_page("missing") is None
        assert tx.checkout.list_pages() == ["a-page", "b-page"]


def test_an_idempotency_key_is_claimed_once_then_completed(database: Database) -> None:
    with database.transaction() as tx:
        assert tx.checkout.claim_key("k1", "print", at=AT) is True
        assert tx.checkout.claim_key("k1", "other", at=AT) is False
    with database.transaction() as tx:
        stored = tx.checkout.get_key("k1")
        assert stored is not None
        assert (stored.fingerprint, stored.status, stored.result) == ("print", "in_flight", None)
        assert stored.created_at == AT
        tx.checkout.complete_key("k1", {"status": "paid", "n": 1}, at=AT)
        tx.checkout.release_key("k1")  # a completed key is never released
    with database.transaction() as tx:
        stored = tx.checkout.get_key("k1")
        assert stored is not None
        assert (stored.status, stored.result) == ("done", {"status": "paid", "n": 1})
        assert tx.checkout.claim_key("k1", "print", at=AT) is False


def test_a_stale_key_in_flight_is_retaken_once(database: Database) -> None:
    later = AT + timedelta(minutes=2)
    with database.transaction() as tx:
        tx.checkout.claim_key("k3", "print", at=AT)
    with database.transaction() as tx:
        assert tx.checkout.retake_key("k3", before=AT, at=later) is False  # not stale yet
        assert tx.checkout.retake_key("k3", before=later, at=later) is True
        assert tx.checkout.retake_key("k3", before=later, at=later) is False  # taken already
        tx.checkout.complete_key("k3", {"status": "paid"}, at=later)
    with database.transaction() as tx:
        far = later + timedelta(hours=1)
        assert tx.checkout.retake_key("k3", before=far, at=far) is False  # done keys stay
        assert tx.checkout.retake_key("missing", before=far, at=far) is False


def test_a_released_key_can_be_claimed_again(database: Database) -> None:
    with database.transaction() as tx:
        tx.checkout.claim_key("k2", "print", at=AT)
    with database.transaction() as tx:
        tx.checkout.release_key("k2")
    with database.transaction() as tx:
        assert tx.checkout.get_key("k2") is None
        assert tx.checkout.claim_key("k2", "print", at=AT) is True


def claim_then_fail(database: Database, key: str) -> None:
    with database.transaction() as tx:
        tx.checkout.claim_key(key, "print", at=AT)
        raise RuntimeError("charge failed")


def test_a_claim_in_a_failed_transaction_is_not_kept(database: Database) -> None:
    with pytest.raises(RuntimeError):
        claim_then_fail(database, "k3")
    with database.transaction() as tx:
        assert tx.checkout.claim_key("k3", "print", at=AT) is True


def test_the_checkout_side_of_an_order_reads_back(database: Database) -> None:
    paid_order(database)
    with database.transaction() as tx:
        order = tx.checkout.get_checkout_order("co_1")
        assert order is not None
        assert (order.page_slug, order.card_label, order.purchased_at) == ("shop", "Visa •4242", AT)
        assert tx.checkout.get_checkout_order("co_2") is None


def test_an_offer_is_claimed_once_and_finished_only_from_pending(database: Database) -> None:
    paid_order(database)
    with database.transaction() as tx:
        assert tx.checkout.claim_offer("co_1", "co_1-u1", "UP", "pending", at=AT) is True
        assert tx.checkout.claim_offer("co_1", "co_1-u1", "UP", "declined", at=AT) is False
    with database.transaction() as tx:
        done = tx.checkout.finish_offer(
            "co_1", "co_1-u1", status="accepted", at=AT, charge_id="ch_1"
        )
        assert done is True
        again = tx.checkout.finish_offer("co_1", "co_1-u1", status="failed", at=AT)
        assert again is False
    with database.transaction() as tx:
        answer = tx.checkout.responses("co_1")["co_1-u1"]
        assert (answer.sku, answer.status, answer.charge_id, answer.message) == (
            "UP",
            "accepted",
            "ch_1",
            None,
        )
        assert answer.claimed_at == AT


def test_a_declined_offer_is_final_at_once(database: Database) -> None:
    paid_order(database)
    with database.transaction() as tx:
        assert tx.checkout.claim_offer("co_1", "co_1-u1", "UP", "declined", at=AT) is True
        assert tx.checkout.finish_offer("co_1", "co_1-u1", status="accepted", at=AT) is False
        assert tx.checkout.responses("co_1")["co_1-u1"].status == "declined"
        assert tx.checkout.responses("other") == {}


def test_only_a_stale_pending_claim_is_retaken(database: Database) -> None:
    paid_order(database)
    later = AT + timedelta(minutes=5)
    with database.transaction() as tx:
        tx.checkout.claim_offer("co_1", "co_1-u1", "UP", "pending", at=AT)
        assert tx.checkout.retake_offer("co_1", "co_1-u1", before=AT, at=later) is False
        assert tx.checkout.retake_offer("co_1", "co_1-u1", before=later, at=later) is True
        assert tx.checkout.retake_offer("co_1", "co_1-u1", before=later, at=later) is False
        assert tx.checkout.responses("co_1")["co_1-u1"].claimed_at == later
        tx.checkout.finish_offer("co_1", "co_1-u1", status="failed", at=later, message="no")
        far = later + timedelta(days=1)
        assert tx.checkout.retake_offer("co_1", "co_1-u1", before=far, at=far) is False


def test_appended_lines_are_numbered_after_the_order(database: Database) -> None:
    paid_order(database)
    upsell = OrderLine(Sku("UP"), 1, Money(900, "GBP"), OfferId("co_1-u1"), LineSource.UPSELL)
    downsell = OrderLine(Sku("DOWN"), 1, Money(500, "GBP"), OfferId("co_1-d2"), LineSource.DOWNSELL)
    with database.transaction() as tx:
        assert tx.checkout.append_line("co_1", upsell) == 2
        assert tx.checkout.append_line("co_1", downsell) == 3
        tx.checkout.claim_offer("co_1", "co_1-u1", "UP", "pending", at=AT)
        tx.checkout.set_offer_line("co_1", "co_1-u1", 2)
    with database.transaction() as tx:
        lines = tx.orders.get_orders(["co_1"])["co_1"].lines
        assert [line.sku for line in lines] == ["MAIN", "UP", "DOWN"]
        assert lines[1] == upsell


def test_charges_are_listed_oldest_first(database: Database) -> None:
    paid_order(database)
    with database.transaction() as tx:
        tx.checkout.record_charge(
            charge_id="ch_b", order_id="co_1", offer_id="co_1-u1", amount=900, currency="GBP",
            at=AT + timedelta(minutes=1),
        )  # fmt: skip
        tx.checkout.record_charge(
            charge_id="ch_a", order_id="co_1", offer_id=None, amount=2500, currency="GBP", at=AT
        )
    with database.transaction() as tx:
        charges = tx.checkout.order_charges("co_1")
        assert [(c.charge_id, c.offer_id, c.amount, c.currency) for c in charges] == [
            ("ch_a", None, 2500, "GBP"),
            ("ch_b", "co_1-u1", 900, "GBP"),
        ]
        assert charges[0].created_at == AT
        assert tx.checkout.order_charges("co_2") == []


def test_an_offer_is_charged_at_most_once(database: Database) -> None:
    paid_order(database)
    with database.transaction() as tx:
        tx.checkout.record_charge(
            charge_id="ch_1", order_id="co_1", offer_id="co_1-u1", amount=900, currency="GBP", at=AT
        )
    with pytest.raises(Exception), database.transaction() as tx:  # noqa: B017, PT011
        tx.checkout.record_charge(
            charge_id="ch_2", order_id="co_1", offer_id="co_1-u1", amount=900, currency="GBP", at=AT
        )
    with database.transaction() as tx:
        assert [c.charge_id for c in tx.checkout.order_charges("co_1")] == ["ch_1"]
