"""What an offer says is true (issue 21, bug 9): steps up, totals, deadlines, billing periods,
and each reason once."""

from __future__ import annotations

from datetime import timedelta

from tactful.domain.catalog import BillingPeriod, ProductKind, Sku
from tactful.domain.offers import Moment, Purchase, ReasonCode
from tactful.domain.offers.framing import is_time_zone
from tactful.domain.offers.offer_catalog import OfferCatalog
from tests.domain.offers.builders import NOW, ev, product, run

LADDER = [
    product("mat", 2000, ladder="mats", rank=1),
    product("mat-plus", 2600, ladder="mats", rank=2),
    product("mat-pro", 3200, ladder="mats", rank=3),
]


def test_a_plan_two_steps_up_is_not_called_the_next_step() -> None:
    decision = run(Moment.CART, ["mat"], LADDER)
    reasons = {offer.sku: offer.reason for offer in decision.offers}
    assert reasons == {
        "mat-plus": "The next step up from Mat",
        "mat-pro": "Two steps up from Mat",
    }


def test_cart_total_after_on_an_empty_cart_is_the_total_not_the_difference() -> None:
    plans = [
        product("basic", 1000, ProductKind.SUBSCRIPTION, ladder="plans", rank=1),
        product("pro", 2500, ProductKind.SUBSCRIPTION, ladder="plans", rank=2),
    ]
    subscriber = [Purchase(Sku("basic"), NOW - timedelta(days=90))]
    decision = run(Moment.USAGE_LIMIT, [], plans, purchases=subscriber)  # nothing in a cart
    (offer,) = decision.offers
    assert offer.cart_total_after == offer.price.price  # 25.00, not the 15.00 difference
    in_cart = run(Moment.CART, ["mat"], LADDER)
    plus = next(o for o in in_cart.offers if o.sku == "mat-plus")
    assert plus.cart_total_after.amount == 2000 + 600


def test_a_currency_mismatch_is_listed_once() -> None:
    products = [product("mug", 1000), product("tea", 500, currency="EUR")]
    decision = run(Moment.CART, ["mug"], products, [ev("mug", "tea")])
    (entry,) = [e for e in decision.trace if e.sku == "tea"]
    assert entry.reasons == (ReasonCode.CURRENCY_MISMATCH,)


def test_deadlines_are_written_in_the_customers_time_zone() -> None:
    deadline = NOW + timedelta(hours=5)  # 17:00 UTC on 1 June: 18:00 in London (BST)
    london = run(Moment.CART, ["mat"], LADDER, expires_at=deadline, time_zone="Europe/London")
    assert london.offers[0].urgency is not None
    assert london.offers[0].urgency.text == "Offer ends 01 Jun 2024, 18:00 BST"
    utc = run(Moment.CART, ["mat"], LADDER, expires_at=deadline)
    assert utc.offers[0].urgency is not None
    assert utc.offers[0].urgency.text == "Offer ends 01 Jun 2024, 17:00 UTC"
    assert is_time_zone("America/New_York")
    assert not is_time_zone("Mars/Olympus")


def plan(sku: str, price: int, period: BillingPeriod | None) -> object:
    return product(
        sku, price, ProductKind.SUBSCRIPTION, ladder="plans", rank=1, billing_period=period
    )


def test_the_term_switch_follows_billing_periods() -> None:
    monthly = plan("basic", 1000, BillingPeriod.MONTH)
    weekly_dearer = plan("basic-weekly", 3000, BillingPeriod.WEEK)  # dearer, not longer
    annual = plan("basic-annual", 10000, BillingPeriod.YEAR)
    catalog = OfferCatalog.build([monthly, weekly_dearer, annual], [], [])  # type: ignore[list-item]
    longer = catalog.longer_term(Sku("basic"))
    assert longer is not None
    assert longer.sku == "basic-annual"
    subscriber = [Purchase(Sku("basic"), NOW - timedelta(days=90))]
    decision = run(Moment.RENEWAL, [], [monthly, annual], purchases=subscriber)
    (offer,) = decision.offers
    assert offer.reason == "The same plan as Basic, billed yearly instead of monthly"
