"""The guardrails are written once: decide()'s trace is what GUARDRAILS return, in order."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from math import copysign, isnan, nan
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings

from tactful.domain.catalog import ProductKind, Sku
from tactful.domain.experiments import assign
from tactful.domain.money import Money
from tactful.domain.offers import Candidate, Decision, Moment, TraceEntry
from tactful.domain.offers.candidates import candidates
from tactful.domain.offers.decision import Offer, PriceBlock
from tactful.domain.offers.engine import decide
from tactful.domain.offers.guardrails import GUARDRAILS, blanket_reasons, judge
from tactful.domain.offers.moments import uses_buy_again
from tactful.domain.offers.offer_catalog import CrossSellCache
from tactful.domain.offers.reasons import ReasonCode
from tactful.domain.offers.repurchases import buy_again
from tactful.domain.offers.situation import Situation, situate
from tests.domain.offers.builders import NO_HOLDOUT, cart, context, customer, ev, product
from tests.domain.offers.worlds import World, worlds

_CHOICE = {
    ReasonCode.KEPT,
    ReasonCode.DUPLICATE,
    ReasonCode.OVER_OFFER_LIMIT,
    ReasonCode.BUDGET_EXHAUSTED,
}


def _each_guardrail(candidate: Candidate, situation: Situation) -> tuple[ReasonCode, ...]:
    """What each guardrail returns, in policy order, each reason once (issue 21, bug 9)."""
    found = [guardrail(candidate, situation) for guardrail in GUARDRAILS]
    return tuple(dict.fromkeys(reason for reason in found if reason is not None))


def _trace_is_the_guardrails(w: World, moment: Moment) -> None:
    decision = decide(w.customer, moment, w.cart, w.context)
    situation, _ = situate(moment, w.cart, w.context)
    policy = w.context.policy
    held = assign(w.customer.customer_id, policy.holdout_salt, policy.holdout_share)
    blanket = blanket_reasons(w.customer, situation, held)
    pool = candidates(situation, w.context.affinity, w.context.declined_upsell)
    if uses_buy_again(moment):
        pool = [*buy_again(situation, w.context.affinity, w.context.orders), *pool]
    assert [(entry.sku, entry.kind, entry.for_sku) for entry in decision.trace] == [
        (candidate.sku, candidate.kind, candidate.for_sku) for candidate in pool
    ]
    for candidate, entry in zip(pool, decision.trace, strict=True):
        failed = blanket + _each_guardrail(candidate, situation)
        assert judge(candidate, situation) == _each_guardrail(candidate, situation)
        if failed:
            assert entry.reasons == failed
            assert not entry.kept
        else:
            assert len(entry.reasons) == 1
            assert entry.reasons[0] in _CHOICE
            assert entry.kept is (entry.reasons == (ReasonCode.KEPT,))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_the_trace_holds_what_each_guardrail_returns_in_policy_order(w: World) -> None:
    for moment in Moment:
        _trace_is_the_guardrails(w, moment)


def test_judge_checks_every_guardrail_of_a_cross_sell_in_order() -> None:
    items = [product("a", 1000), product("b", 5000, inventory=0, currency="EUR")]
    ctx = context(items, [ev("a", "b", count=1, lift=0.5)], viewing=Sku("a"))
    situation, _ = situate(Moment.CHECKOUT, cart("a"), ctx)
    (candidate,) = candidates(situation, ctx.affinity, None)
    assert judge(candidate, situation) == (
        ReasonCode.OUT_OF_STOCK,
        ReasonCode.CURRENCY_MISMATCH,
        ReasonCode.BELOW_RELEVANCE_FLOOR,
        ReasonCode.TOO_BIG_FOR_MOMENT,  # the price ceiling's currency mismatch: listed once
    )


def _uncached(w: World, moment: Moment) -> Decision:
    """decide() with every cross-sell candidate built afresh."""
    with mock.patch.object(CrossSellCache, "get", lambda _self, evidence, build: build(evidence)):
        return decide(w.customer, moment, w.cart, w.context)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_cached_cross_sells_give_the_decisions_built_afresh(w: World) -> None:
    for moment in (w.moment, Moment.POST_PURCHASE):
        fresh = _uncached(w, moment)
        for _ in range(2):  # the cache first filled, then read
            assert decide(w.customer, moment, w.cart, w.context) == fresh


def test_a_full_cross_sell_cache_empties_and_decisions_stay_the_same() -> None:
    items = [product(s, 500) for s in ("a", "b", "c", "d")]
    ctx = context(items, [ev("a", "b"), ev("a", "c", score=0.4), ev("d", "c", score=0.2)])
    first = decide(customer(), Moment.CART, cart("a", "d"), ctx)
    with mock.patch.object(CrossSellCache, "LIMIT", 1):
        for _ in range(3):
            assert decide(customer(), Moment.CART, cart("a", "d"), ctx) == first
        assert len(ctx.catalog.cross_sells._by_evidence) == 1


def test_each_catalogue_has_its_own_cross_sells() -> None:
    evidence = [ev("a", "b")]
    cheap = context([product("a", 1000), product("b", 900)], evidence)
    dear = context([product("a", 1000), product("b", 5000)], evidence)
    assert decide(customer(), Moment.CART, cart("a"), cheap).offers[0].price.price.amount == 900
    (entry,) = decide(customer(), Moment.CART, cart("a"), dear).trace
    assert entry.reasons == (ReasonCode.PRICE_ABOVE_CEILING,)


def test_nan_and_repeated_scores_rank_as_two_stable_sorts() -> None:
    items = [product(s, 500) for s in ("a", "b", "c", "d", "e", "f")]
    cases = [
        ([ev("a", "c", score=nan), ev("a", "d", score=0.3), ev("b", "e", score=0.3)], "cd"),
        ([ev("a", "c", score=0.2), ev("b", "c", score=0.2), ev("b", "d", score=0.4)], "cd"),
        ([ev("a", "d", score=0.0), ev("a", "c", score=-0.0), ev("b", "e", score=nan)], "cd"),
        ([ev("a", "e", score=0.1), ev("b", "d", score=0.1), ev("a", "x", score=0.9)], "d"),
    ]
    for evidence, expected in cases:
        ctx = context(items, evidence, policy=replace(NO_HOLDOUT, max_candidates=2))
        for moment in (Moment.CART, Moment.BROWSING):
            situation, _ = situate(moment, cart("a", "b"), ctx)
            pool = candidates(situation, ctx.affinity, None)
            assert "".join(candidate.sku for candidate in pool) == expected
            relevance = pool[0].relevance
            if evidence is cases[0][0]:
                assert isnan(relevance)
            if evidence is cases[2][0]:
                assert copysign(1.0, relevance) == -1.0, "a lone score is kept, sign and all"


def test_owned_plans_are_the_owned_once_products_on_a_ladder() -> None:
    items = [
        product("basic", 1000, ProductKind.SUBSCRIPTION, ladder="plans", rank=1),
        product("pro", 2000, ProductKind.SUBSCRIPTION, ladder="plans", rank=2),
        product("mug", 500, ladder="mugs", rank=1),
        product("ebook", 500, ProductKind.DIGITAL),
    ]
    assert context(items).catalog.owned_plans == {"basic", "pro"}


def test_decision_values_are_plain_frozen_dataclasses() -> None:
    for cls in (Candidate, TraceEntry, Offer, PriceBlock, Decision, Money, Situation):
        params = cls.__dataclass_params__  # type: ignore[attr-defined]
        assert params.frozen, cls
        assert "__slots__" in vars(cls), cls
    money = Money(5, "gbp")
    assert money == Money(5, "GBP")
    with pytest.raises(dataclasses.FrozenInstanceError):
        money.amount = 6  # type: ignore[misc]
