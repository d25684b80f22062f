"""One behaviour per guardrail of the respect policy, checked through decide() and its trace."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tactful.domain.catalog import ProductKind, Sku
from tactful.domain.offers import (
    DeclinedUpsell,
    Moment,
    OfferEvent,
    OfferKind,
    OfferPolicy,
    OfferResponse,
    PastOrder,
    Purchase,
    ReasonCode,
    Task,
)
from tactful.domain.offers.guardrails import GUARDRAILS
from tactful.domain.orders import LineSource
from tests.domain.offers.builders import (
    NOW,
    customer,
    ev,
    offered,
    product,
    reasons_for,
    run,
)

R = ReasonCode
MUG, TEA, SPOON, KETTLE = "mug", "tea", "spoon", "kettle"
BASIC = [product(MUG, 1000), product(TEA, 500), product(SPOON, 300), product(KETTLE, 4000)]
RULES = [ev(MUG, TEA, score=0.6), ev(MUG, SPOON, score=0.4)]


def test_the_twelve_guardrails_in_policy_order() -> None:
    assert [guardrail.__name__ for guardrail in GUARDRAILS] == [
        "available",
        "same_currency",
        "not_in_cart",
        "not_owned",
        "committed",
        "relevance_floor",
        "price_ceiling",
        "fits_moment",
        "timing_for_kind",
        "tenure_for_annual",
        "cooldown",
        "upgrade_quiet_period",
    ]


def test_a_plain_cross_sell_is_kept() -> None:
    decision = run(Moment.CART, [MUG], BASIC, RULES)
    assert offered(decision) == [TEA, SPOON]
    assert reasons_for(decision, TEA) == {R.KEPT}


def test_zero_offers_is_a_normal_answer() -> None:
    decision = run(Moment.CART, [MUG], BASIC, [])
    assert decision.offers == ()
    assert decision.trace == ()


def test_never_more_than_two_offers() -> None:
    rules = [*RULES, ev(MUG, KETTLE, score=0.3)]
    products = [*BASIC[:3], product(KETTLE, 900)]
    decision = run(Moment.CART, [MUG], products, rules)
    assert offered(decision) == [TEA, SPOON]
    assert reasons_for(decision, KETTLE) == {R.OVER_OFFER_LIMIT}


def test_a_merchant_may_allow_fewer_offers_but_not_more() -> None:
    decision = run(
        Moment.CART, [MUG], BASIC, RULES, policy=OfferPolicy(max_offers=1, holdout_share=0)
    )
    assert offered(decision) == [TEA]
    with pytest.raises(ValueError, match="max_offers"):
        OfferPolicy(max_offers=3)


def test_nothing_during_payment() -> None:
    decision = run(Moment.PAYMENT, [MUG], BASIC, RULES)
    assert decision.offers == ()
    assert R.PAYMENT_IN_PROGRESS in reasons_for(decision, TEA)


def test_no_upsell_before_commitment_but_cross_sells_while_browsing() -> None:
    products = [
        product("tee", 1500, ladder="tee", rank=1),
        product("tee-pro", 1800, ladder="tee", rank=2),
        *BASIC,
    ]
    decision = run(Moment.BROWSING, [], products, [ev("tee", MUG)], viewing=Sku("tee"))
    assert offered(decision) == [MUG]
    assert reasons_for(decision, "tee-pro") == {R.NOT_COMMITTED}
    committed = run(Moment.CART, ["tee"], products, [])
    assert offered(committed) == ["tee-pro"]


@pytest.mark.parametrize(("count", "lift"), [(4, 3.0), (50, 1.0), (50, 0.8)])
def test_relevance_floor_drops_weak_cross_sells(count: int, lift: float) -> None:
    decision = run(Moment.CART, [MUG], BASIC, [ev(MUG, TEA, count, lift=lift)])
    assert decision.offers == ()
    assert reasons_for(decision, TEA) == {R.BELOW_RELEVANCE_FLOOR}


def test_relevance_floor_is_configurable() -> None:
    policy = OfferPolicy(min_co_purchases=3, holdout_share=0)
    decision = run(Moment.CART, [MUG], BASIC, [ev(MUG, TEA, 4)], policy=policy)
    assert offered(decision) == [TEA]


def test_price_ceiling_is_125_percent_of_the_anchor() -> None:
    products = [product(MUG, 1000), product(TEA, 1250), product(KETTLE, 1251)]
    decision = run(Moment.CART, [MUG], products, [ev(MUG, TEA), ev(MUG, KETTLE)])
    assert offered(decision) == [TEA]
    assert reasons_for(decision, KETTLE) == {R.PRICE_ABOVE_CEILING}


def test_in_progress_allows_only_small_increases() -> None:
    products = [product(MUG, 1000), product(TEA, 250), product(SPOON, 251)]
    rules = [ev(MUG, TEA), ev(MUG, SPOON)]
    decision = run(Moment.CHECKOUT, [MUG], products, rules)
    assert offered(decision) == [TEA]
    assert reasons_for(decision, SPOON) == {R.TOO_BIG_FOR_MOMENT}
    in_app = run(Moment.IN_APP, [MUG], products, rules, task=Task.IN_PROGRESS)
    assert offered(in_app) == [TEA]
    done = run(Moment.IN_APP, [MUG], products, rules, task=Task.COMPLETED)
    assert offered(done) == [TEA, SPOON]


PLANS = [
    product("basic", 1000, ProductKind.SUBSCRIPTION, ladder="plans", rank=1),
    product("pro", 2500, ProductKind.SUBSCRIPTION, ladder="plans", rank=2),
    product("basic-annual", 10000, ProductKind.SUBSCRIPTION, ladder="plans", rank=1),
]


def _subscriber(days: int) -> list[Purchase]:
    return [Purchase(Sku("basic"), NOW - timedelta(days=days))]


@pytest.mark.parametrize("moment", [Moment.USAGE_LIMIT, Moment.RENEWAL])
def test_plan_upgrades_at_usage_limit_and_renewal(moment: Moment) -> None:
    decision = run(moment, [], PLANS, purchases=_subscriber(90))
    assert set(offered(decision)) == {"pro", "basic-annual"}
    assert decision.offers[0].kind is OfferKind.UPSELL


@pytest.mark.parametrize("moment", [Moment.CART, Moment.CHECKOUT, Moment.BROWSING])
def test_plan_changes_wait_for_a_peak(moment: Moment) -> None:
    decision = run(moment, ["basic"], PLANS, purchases=_subscriber(90))
    assert decision.offers == ()
    assert R.TOO_BIG_FOR_MOMENT in reasons_for(decision, "pro")


def test_subscription_upgrades_follow_the_timing_table() -> None:
    decision = run(Moment.POST_PURCHASE, ["basic"], PLANS, purchases=_subscriber(90))
    assert reasons_for(decision, "pro") == {R.TIMING_FOR_KIND}
    in_app = run(Moment.IN_APP, [], PLANS, purchases=_subscriber(90), task=Task.COMPLETED)
    assert "pro" in offered(in_app)


def test_annual_switch_only_after_tenure() -> None:
    decision = run(Moment.RENEWAL, [], PLANS, purchases=_subscriber(30))
    assert reasons_for(decision, "basic-annual") == {R.TOO_EARLY_FOR_ANNUAL}
    assert offered(decision) == ["pro"]


def test_digital_items_get_cross_sells_after_purchase() -> None:
    products = [
        product("ebook", 900, ProductKind.DIGITAL),
        product("course", 1000, ProductKind.DIGITAL),
    ]
    rules = [ev("ebook", "course")]
    cart_time = run(Moment.CART, ["ebook"], products, rules)
    assert reasons_for(cart_time, "course") == {R.TIMING_FOR_KIND}
    after = run(Moment.POST_PURCHASE, ["ebook"], products, rules)
    assert offered(after) == ["course"]


def test_event_tickets_get_add_ons_at_checkout() -> None:
    products = [product("ticket", 5000, ProductKind.EVENT), product("parking", 800)]
    rules = [ev("ticket", "parking")]
    assert reasons_for(run(Moment.CART, ["ticket"], products, rules), "parking") == {
        R.TIMING_FOR_KIND
    }
    assert offered(run(Moment.CHECKOUT, ["ticket"], products, rules)) == ["parking"]


def test_timing_table_is_configurable() -> None:
    products = [
        product("ebook", 900, ProductKind.DIGITAL),
        product("course", 1000, ProductKind.DIGITAL),
    ]
    policy = OfferPolicy(timing={}, holdout_share=0)
    decision = run(Moment.CART, ["ebook"], products, [ev("ebook", "course")], policy=policy)
    assert offered(decision) == ["course"]


def test_withdrawn_onsite_consent_means_no_onsite_offers() -> None:
    decision = run(Moment.CART, [MUG], BASIC, RULES, who=customer(onsite=False))
    assert decision.offers == ()
    assert R.CONSENT_WITHDRAWN in reasons_for(decision, TEA)


def test_email_needs_marketing_consent() -> None:
    bought = [Purchase(Sku(MUG), NOW - timedelta(days=2))]
    orders = [PastOrder(NOW - timedelta(days=2), (Sku(MUG),))]
    fields = {"purchases": bought, "orders": orders}
    silent = run(Moment.EMAIL, [], BASIC, RULES, who=customer(), **fields)
    assert silent.offers == ()
    assert R.NO_EMAIL_CONSENT in reasons_for(silent, TEA)
    assert R.NO_EMAIL_CONSENT in reasons_for(silent, MUG)
    opted_in = run(Moment.EMAIL, [], BASIC, RULES, who=customer(email=True, onsite=False), **fields)
    assert offered(opted_in) == [MUG, TEA]  # what they buy again, then what goes with it


def test_owned_digital_items_are_not_offered_but_consumables_are() -> None:
    products = [product(MUG, 1000), product(TEA, 500), product("guide", 500, ProductKind.DIGITAL)]
    rules = [ev(MUG, TEA), ev(MUG, "guide", score=0.1)]
    bought = [
        Purchase(Sku(TEA), NOW - timedelta(days=3)),
        Purchase(Sku("guide"), NOW - timedelta(days=3)),
    ]
    decision = run(Moment.CART, [MUG], products, rules, purchases=bought)
    assert offered(decision) == [TEA]
    assert reasons_for(decision, "guide") == {R.ALREADY_OWNED}


def test_nothing_already_in_the_cart() -> None:
    decision = run(Moment.CART, [MUG, TEA], BASIC, RULES)
    assert TEA not in offered(decision)
    assert R.IN_CART in reasons_for(decision, TEA)


def _declined(sku: str, days: float, relevance: float | None = 0.6) -> OfferEvent:
    return OfferEvent(
        OfferResponse.DECLINED, Sku(sku), NOW - timedelta(days=days), relevance=relevance
    )


def test_declined_offers_rest_for_the_cooldown() -> None:
    decision = run(Moment.CART, [MUG], BASIC, RULES, offer_events=[_declined(TEA, 13)])
    assert offered(decision) == [SPOON]
    assert reasons_for(decision, TEA) == {R.COOLDOWN}
    later = run(Moment.CART, [MUG], BASIC, RULES, offer_events=[_declined(TEA, 15)])
    assert TEA in offered(later)


def test_dismissed_counts_like_declined() -> None:
    dismissed = OfferEvent(OfferResponse.DISMISSED, Sku(TEA), NOW - timedelta(hours=1))
    decision = run(Moment.CHECKOUT, [MUG, KETTLE], BASIC, RULES, offer_events=[dismissed])
    assert reasons_for(decision, TEA) == {R.COOLDOWN}


def test_a_much_stronger_signal_lifts_the_cooldown() -> None:
    strong = [ev(MUG, TEA, score=0.6), ev(KETTLE, TEA, score=0.4)]
    weak_before = [_declined(TEA, 2, relevance=0.7)]
    decision = run(Moment.CART, [MUG, KETTLE], BASIC, strong, offer_events=weak_before)
    assert reasons_for(decision, TEA) == {R.COOLDOWN}  # 1.0 is not above 0.7 * 1.5
    weaker_before = [_declined(TEA, 2, relevance=0.3)]
    lifted = run(Moment.CART, [MUG, KETTLE], BASIC, strong, offer_events=weaker_before)
    assert TEA in offered(lifted)
    unknown = run(Moment.CART, [MUG, KETTLE], BASIC, strong, offer_events=[_declined(TEA, 2, None)])
    assert reasons_for(unknown, TEA) == {R.COOLDOWN}


def _shown(n: int, days: float) -> list[OfferEvent]:
    return [
        OfferEvent(OfferResponse.SHOWN, Sku(f"x{i}"), NOW - timedelta(days=days)) for i in range(n)
    ]


def test_budget_caps_offers_across_channels() -> None:
    five = run(Moment.CART, [MUG], BASIC, RULES, offer_events=_shown(5, 1))
    assert offered(five) == [TEA]
    assert reasons_for(five, SPOON) == {R.BUDGET_EXHAUSTED}
    six = run(Moment.CART, [MUG], BASIC, RULES, offer_events=_shown(6, 1))
    assert six.offers == ()
    old = run(Moment.CART, [MUG], BASIC, RULES, offer_events=_shown(6, 8))
    assert len(old.offers) == 2


def test_recent_upgraders_are_not_upsold_again() -> None:
    ladder = [
        product("tee", 1500, ladder="tee", rank=1),
        product("tee-pro", 1800, ladder="tee", rank=2),
    ]
    upgraded = [Purchase(Sku("x"), NOW - timedelta(days=10), LineSource.UPSELL)]
    decision = run(Moment.CART, ["tee"], ladder, purchases=upgraded)
    assert reasons_for(decision, "tee-pro") == {R.UPGRADE_QUIET_PERIOD}
    accepted = [
        OfferEvent(OfferResponse.ACCEPTED, Sku("y"), NOW - timedelta(days=40), OfferKind.UPSELL)
    ]
    assert offered(run(Moment.CART, ["tee"], ladder, offer_events=accepted)) == ["tee-pro"]


def test_held_out_customers_get_nothing_but_a_complete_decision() -> None:
    policy = OfferPolicy(holdout_share=1.0)
    decision = run(Moment.CART, [MUG], BASIC, RULES, policy=policy)
    assert decision.held_out is True
    assert decision.offers == ()
    assert reasons_for(decision, TEA) == {R.HELD_OUT}


def test_inactive_and_out_of_stock_products_are_dropped() -> None:
    products = [product(MUG), product(TEA, active=False), product(SPOON, inventory=0)]
    decision = run(Moment.CART, [MUG], products, RULES)
    assert decision.offers == ()
    assert reasons_for(decision, TEA) == {R.INACTIVE}
    assert reasons_for(decision, SPOON) == {R.OUT_OF_STOCK}


def test_other_currencies_are_dropped() -> None:
    products = [product(MUG), product(TEA, 500, currency="EUR")]
    decision = run(Moment.CART, [MUG], products, [ev(MUG, TEA)])
    assert reasons_for(decision, TEA) == {R.CURRENCY_MISMATCH}


def test_a_sku_is_offered_once_even_when_two_kinds_propose_it() -> None:
    ladder = [
        product("tee", 1500, ladder="tee", rank=1),
        product("tee-pro", 1800, ladder="tee", rank=2),
    ]
    decision = run(Moment.CART, ["tee"], ladder, [ev("tee", "tee-pro")])
    assert offered(decision) == ["tee-pro"]
    assert [e.reasons for e in decision.trace] == [(R.KEPT,), (R.DUPLICATE,)]


def test_downsell_follows_a_declined_one_click_upsell() -> None:
    ladder = [
        product("kit", 2000, ladder="kit", rank=1),
        product("kit-plus", 3000, ladder="kit", rank=2),
        product("kit-max", 6000, ladder="kit", rank=3),
    ]
    declined = DeclinedUpsell(Sku("kit-max"), Sku("kit"))
    decision = run(Moment.POST_PURCHASE, ["kit"], ladder, declined_upsell=declined)
    assert decision.offers[0].sku == "kit-plus"
    assert decision.offers[0].kind is OfferKind.DOWNSELL
