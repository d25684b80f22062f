"""`MeasurementReads` on every database: exposures, net orders, funnels and credited purchases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tactful.domain.catalog import Sku
from tactful.domain.customers import CustomerId
from tactful.domain.measurement import (
    Conversion,
    CustomerTotals,
    Exposure,
    FunnelRow,
    OrderTotal,
    customer_totals,
)
from tactful.domain.money import Money
from tactful.domain.offers import OfferResponse
from tactful.domain.offers.records import DecisionRecord, Impression
from tactful.domain.orders import LineSource, OfferId, Order, OrderId, OrderLine
from tactful.domain.refunds import OrderRefund, RefundStatus
from tactful.services.ports.storage import Database
from tests.services.measurement_wiring import measurement_reads

T0 = datetime(2025, 6, 1, 12, tzinfo=UTC)
SINCE, UNTIL = T0 - timedelta(days=1), T0 + timedelta(days=20)
WEEK = timedelta(days=7)


def shown(decision: str, customer: str, kind: str, sku: str, at: datetime) -> Impression:
    price = Money(5000, "GBP")
    return Impression(
        decision, f"off-{decision}", 0, customer, kind, sku, None, "inline", price, at
    )


def decide(
    decision: str,
    customer: str,
    moment: str,
    at: datetime,
    *impressions: Impression,
    held: bool = False,
) -> DecisionRecord:
    return DecisionRecord(decision, customer, moment, at, held, [], impressions)


def order(order_id: str, customer: str | None, at: datetime, *lines: tuple[str, int, int]) -> Order:
    made = tuple(OrderLine(Sku(sku), qty, Money(price, "GBP")) for sku, qty, price in lines)
    return Order(OrderId(order_id), at, made, CustomerId(customer) if customer else None)


def seed(database: Database) -> None:
    """ann (treated) accepts a PRO upsell and buys it next day, then half is refunded; bob
    declines a MUG and buys one too late; cat is held out; dan was both (left out)."""
    ann_pro = shown("d1", "ann", "upsell", "PRO", T0)
    ann_mug = shown("d3", "ann", "cross_sell", "MUG", T0 + timedelta(hours=1))
    bob_mug = shown("d2", "bob", "cross_sell", "MUG", T0)
    early = shown("d0", "ann", "upsell", "PRO", SINCE - timedelta(days=3))
    with database.transaction() as tx:
        tx.offers.save_decisions(
            [
                decide("d0", "ann", "cart", early.at, early),
                decide("d1", "ann", "cart", T0, ann_pro),
                decide("d2", "bob", "product", T0, bob_mug),
                decide("d3", "ann", "product", ann_mug.at, ann_mug),
                decide("h1", "cat", "cart", T0 + timedelta(days=2), held=True),
                decide("m1", "dan", "cart", T0, held=True),
                decide("m2", "dan", "cart", T0 + timedelta(days=1)),
            ]
        )
        tx.offers.save_response(ann_pro, OfferResponse.ACCEPTED, at=T0 + timedelta(minutes=1))
        tx.offers.save_response(bob_mug, OfferResponse.DECLINED, at=T0 + timedelta(minutes=1))
        tx.offers.save_response(bob_mug, OfferResponse.DISMISSED, at=T0 + timedelta(minutes=2))
        tx.orders.insert_orders(
            [
                order("pre", "ann", T0 - timedelta(days=30), ("TENT", 1, 20000)),
                order("o1", "ann", T0 + timedelta(days=1), ("PRO", 1, 6000), ("MUG", 2, 1000)),
                order("o2", "bob", T0 + timedelta(days=10), ("MUG", 1, 1000)),
                order("o3", "cat", T0 + timedelta(days=3), ("TENT", 1, 20000)),
                order("g", None, T0 + timedelta(days=1), ("PRO", 1, 6000)),
            ],
            source="api",
        )
        for refund_id, amount, status in (
            ("r1", 4000, RefundStatus.SUCCEEDED),
            ("r2", 999, RefundStatus.FAILED),
        ):
            tx.refunds.record_refund(
                OrderRefund(
                    refund_id, "o1", amount, "GBP", "", status, None, None, T0 + timedelta(days=2)
                )
            )


def test_exposures_are_each_customers_first_decision_in_the_span(database: Database) -> None:
    seed(database)
    found = measurement_reads(database).exposures(since=SINCE, until=UNTIL)
    assert sorted(found, key=lambda e: e.customer_id) == [
        Exposure("ann", T0, False, "cart"),
        Exposure("bob", T0, False, "product"),
        Exposure("cat", T0 + timedelta(days=2), True, "cart"),
        Exposure("dan", T0, None, "cart"),
    ]


def test_order_totals_are_net_of_refunds_that_did_not_fail(database: Database) -> None:
    seed(database)
    found = measurement_reads(database).order_totals(since=T0 - timedelta(days=90), until=UNTIL)
    assert sorted(found, key=lambda o: o.at) == [
        OrderTotal("ann", T0 - timedelta(days=30), 20000, 1, 0, "GBP"),
        OrderTotal("ann", T0 + timedelta(days=1), 8000, 3, 4000, "GBP"),
        OrderTotal("cat", T0 + timedelta(days=3), 20000, 1, 0, "GBP"),
        OrderTotal("bob", T0 + timedelta(days=10), 1000, 1, 0, "GBP"),
    ]


def test_customer_totals_split_each_exposed_customers_orders_at_their_first_decision(
    database: Database,
) -> None:
    """ann spent in the pre-period and after; dan's decisions disagree (left out); an order
    before the pre-period or from the span's end on counts for nothing."""
    seed(database)
    reads = measurement_reads(database)
    exposures = reads.exposures(since=SINCE, until=UNTIL)
    quarter = timedelta(days=90)
    found = reads.customer_totals(exposures, until=UNTIL, pre_period=quarter)
    assert sorted(found, key=lambda t: t.customer_id) == [
        CustomerTotals("ann", "GBP", 1, 8000, 4000, 3, 1, 20000, T0 - timedelta(days=30)),
        CustomerTotals("bob", "GBP", 1, 1000, 0, 1, 0, 0, None),
        CustomerTotals("cat", "GBP", 1, 20000, 0, 1, 0, 0, None),
    ]
    orders = reads.order_totals(since=T0 - quarter, until=UNTIL)
    assert sorted(found, key=lambda t: t.customer_id) == sorted(
        customer_totals(exposures, orders, until=UNTIL, pre_period=quarter),
        key=lambda t: t.customer_id,
    )
    shorter = reads.customer_totals(exposures, until=T0 + timedelta(days=5), pre_period=WEEK)
    assert sorted(shorter, key=lambda t: t.customer_id) == [
        CustomerTotals("ann", "GBP", 1, 8000, 4000, 3, 0, 0, None),
        CustomerTotals("cat", "GBP", 1, 20000, 0, 1, 0, 0, None),
    ]
    assert reads.customer_totals([], until=UNTIL, pre_period=quarter) == []


def test_funnel_keeps_each_response_apart(database: Database) -> None:
    seed(database)
    found = measurement_reads(database).funnel(since=SINCE, until=UNTIL)
    assert sorted(found, key=lambda r: (r.kind, r.moment)) == [
        FunnelRow("cross_sell", "MUG", "product", 2, 1, 0, 1, 1),
        FunnelRow("upsell", "PRO", "cart", 1, 1, 1, 0, 0),
    ]


def test_funnel_and_credits_of_some_customers_are_theirs_alone(database: Database) -> None:
    seed(database)
    reads = measurement_reads(database)
    span = {"since": SINCE, "until": UNTIL}
    assert reads.funnel(**span, customers=["bob", "nobody"]) == [
        FunnelRow("cross_sell", "MUG", "product", 1, 1, 0, 1, 1)
    ]
    ann = reads.funnel(**span, customers=["ann"])
    assert sorted(ann, key=lambda r: r.kind) == [
        FunnelRow("cross_sell", "MUG", "product", 1, 0, 0, 0, 0),
        FunnelRow("upsell", "PRO", "cart", 1, 1, 1, 0, 0),
    ]
    assert reads.funnel(**span, customers=[]) == []
    longer = timedelta(days=14)
    credited = reads.conversions(**span, attribution=longer, customers=["bob"])
    assert [c.decision_id for c in credited] == ["d2"]
    assert reads.conversions(**span, attribution=longer, customers=["cat"]) == []


def test_a_purchase_in_the_window_credits_the_latest_impression_net(database: Database) -> None:
    seed(database)
    found = measurement_reads(database).conversions(since=SINCE, until=UNTIL, attribution=WEEK)
    assert sorted(found, key=lambda c: c.decision_id) == [
        Conversion("d1", "off-d1", "upsell", "PRO", "cart", True, 3000),
        Conversion("d3", "off-d3", "cross_sell", "MUG", "product", False, 1000),
    ]
    longer = measurement_reads(database).conversions(
        since=SINCE, until=UNTIL, attribution=timedelta(days=14)
    )
    assert {c.decision_id for c in longer} == {"d1", "d2", "d3"}


def test_a_one_click_line_added_to_an_earlier_order_credits_its_offer(database: Database) -> None:
    """A post-purchase one-click upsell accepted on ann's order of the day before: its line
    is appended to that order (placed before the offer was shown) and names the offer."""
    seed(database)
    one_click = shown("d5", "ann", "upsell", "CASE", T0 + timedelta(days=1, hours=2))
    line = OrderLine(Sku("CASE"), 1, Money(1500, "GBP"), OfferId("off-d5"), LineSource.UPSELL)
    stray = OrderLine(Sku("CASE"), 1, Money(1500, "GBP"), OfferId("elsewhere"), LineSource.UPSELL)
    with database.transaction() as tx:
        tx.offers.save_decision(decide("d5", "ann", "post_purchase", one_click.at, one_click))
        tx.offers.save_response(one_click, OfferResponse.ACCEPTED, at=one_click.at)
        tx.checkout.append_line("o1", line)
        tx.checkout.append_line("pre", stray)
    reads = measurement_reads(database)
    found = reads.conversions(since=SINCE, until=UNTIL, attribution=WEEK)
    credited = [c for c in found if c.decision_id == "d5"]
    # o1 is 8000 + 1500 gross with 4000 refunded: the line keeps its share of the net
    assert credited == [
        Conversion(
            "d5", "off-d5", "upsell", "CASE", "post_purchase", True, round(1500 * 5500 / 9500)
        )
    ]
    # a span holding the offer's day but not the order's still credits it, once
    day = reads.conversions(
        since=T0 + timedelta(days=1, hours=1), until=T0 + timedelta(days=2), attribution=WEEK
    )
    assert [c.decision_id for c in day] == ["d5"]
    # a line naming an offer not shown to its buyer (or another SKU) is left to the time rule
    assert all(c.sku != "CASE" or c.decision_id == "d5" for c in found)
