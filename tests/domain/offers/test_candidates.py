"""Candidate generation: every cart item, purchases where they matter, ladders and bundles."""

from __future__ import annotations

from datetime import timedelta

from tactful.domain.catalog import ProductKind, Sku
from tactful.domain.offers import CartLine, Moment, OfferKind, OfferPolicy, Purchase, ReasonCode
from tactful.domain.offers.engine import decide
from tests.domain.offers.builders import (
    NOW,
    context,
    customer,
    ev,
    offered,
    product,
    reasons_for,
    run,
)

PRODUCTS = [product(s, 500) for s in ("a", "b", "c", "x", "y", "z")]


def test_cross_sells_sum_evidence_over_all_cart_items() -> None:
    rules = [ev("a", "x", score=0.5), ev("a", "y", score=0.4), ev("b", "y", score=0.4)]
    decision = run(Moment.CART, ["a", "b"], PRODUCTS, rules)
    assert offered(decision) == ["y", "x"]
    y = next(e for e in decision.trace if e.sku == "y")
    assert abs(y.relevance - 0.8) < 1e-9


def test_rules_with_several_antecedents_need_them_all() -> None:
    rules = [ev(("a", "b"), "z")]
    assert offered(run(Moment.CART, ["a"], PRODUCTS, rules)) == []
    assert offered(run(Moment.CART, ["a", "b"], PRODUCTS, rules)) == ["z"]


def test_unknown_cart_skus_are_ignored_with_a_warning() -> None:
    decision = run(Moment.CART, ["a", "nope"], PRODUCTS, [ev("a", "x")])
    assert offered(decision) == ["x"]
    assert decision.warnings == ("unknown sku 'nope' in cart was ignored",)


def test_unknown_consequents_are_not_candidates() -> None:
    decision = run(Moment.CART, ["a"], PRODUCTS, [ev("a", "ghost")])
    assert decision.trace == ()


def test_recent_purchases_anchor_post_purchase_offers() -> None:
    bought = [
        Purchase(Sku("a"), NOW - timedelta(days=5)),
        Purchase(Sku("b"), NOW - timedelta(days=60)),
    ]
    rules = [ev("a", "x"), ev("b", "y")]
    decision = run(Moment.POST_PURCHASE, ["c"], PRODUCTS, rules, purchases=bought)
    assert offered(decision) == ["x"]
    assert offered(run(Moment.CART, ["c"], PRODUCTS, rules, purchases=bought)) == []


def test_new_customer_with_empty_cart_gets_nothing_and_no_error() -> None:
    decision = run(Moment.BROWSING, [], PRODUCTS, [ev("a", "x")])
    assert (decision.offers, decision.trace, decision.warnings) == ((), (), ())


def test_upsell_replaces_the_base_quantity() -> None:
    ladder = [
        product("tee", 1500, ladder="t", rank=1),
        product("tee-pro", 1800, ladder="t", rank=2),
    ]
    decision = decide(customer(), Moment.CART, [CartLine(Sku("tee"), 2)], context(ladder))
    offer = decision.offers[0]
    assert offer.kind is OfferKind.UPSELL
    assert offer.cart_total_after.amount == 3600
    assert offer.reason == "The next step up from Tee"


def test_owned_plan_is_the_base_for_an_upgrade_at_a_peak() -> None:
    plans = [
        product("basic", 1000, ProductKind.SUBSCRIPTION, ladder="p", rank=1),
        product("pro", 2000, ProductKind.SUBSCRIPTION, ladder="p", rank=2),
    ]
    bought = [Purchase(Sku("basic"), NOW - timedelta(days=100))]
    decision = run(Moment.USAGE_LIMIT, [], plans, purchases=bought)
    assert offered(decision) == ["pro"]
    assert decision.offers[0].for_sku == "basic"
    no_plan = run(Moment.USAGE_LIMIT, [], plans)
    assert no_plan.trace == ()


def test_owned_upgrade_is_not_offered() -> None:
    plans = [
        product("basic", 1000, ProductKind.SUBSCRIPTION, ladder="p", rank=1),
        product("pro", 2000, ProductKind.SUBSCRIPTION, ladder="p", rank=2),
    ]
    bought = [Purchase(Sku(s), NOW - timedelta(days=100)) for s in ("basic", "pro")]
    decision = run(Moment.USAGE_LIMIT, [], plans, purchases=bought)
    assert reasons_for(decision, "pro") == {ReasonCode.ALREADY_OWNED}


def test_cart_items_do_not_use_up_the_candidate_limit() -> None:
    products = [product(s, 500) for s in ("a", "b", "c", "x")]
    rules = [ev("a", "b", score=0.9), ev("a", "c", score=0.8), ev("a", "x", score=0.1)]
    policy = OfferPolicy(max_candidates=1, holdout_share=0)
    decision = run(Moment.CART, ["a", "b", "c"], products, rules, policy=policy)
    assert offered(decision) == ["x"]
    assert [e.sku for e in decision.trace] == ["b", "x"]
