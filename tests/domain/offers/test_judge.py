"""The engine's fast paths give exactly what the plain definitions give."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings

from tactful.domain.catalog import ProductKind, Sku
from tactful.domain.frozen import builder
from tactful.domain.money import Money
from tactful.domain.offers import Decision, DecisionContext, Moment, OfferKind, decide
from tactful.domain.offers.candidates import candidates, shared_candidates
from tactful.domain.offers.decision import TraceEntry
from tactful.domain.offers.guardrails import GUARDRAILS, judge, judge_all
from tactful.domain.offers.memo import Generation, SharedMemo
from tactful.domain.offers.reasons import ReasonCode
from tactful.domain.offers.situation import situate
from tests.domain.offers.builders import cart, context, customer, ev, product
from tests.domain.offers.worlds import World, worlds


def _every_guardrail(w: World, moment: Moment) -> None:
    s, _ = situate(moment, w.cart, w.context)
    pool = candidates(s, w.context.affinity, w.context.declined_upsell)
    slow = [tuple(r for g in GUARDRAILS if (r := g(c, s)) is not None) for c in pool]
    assert [judge(c, s) for c in pool] == slow
    assert judge_all(pool, s) == slow
    for _ in range(2):  # the shared candidates' static verdicts: first derived, then memoised
        shared, reused = shared_candidates(s, w.context.affinity, w.context.declined_upsell)
        assert shared == pool
        assert judge_all(shared, s, reused) == slow


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_judge_equals_calling_every_guardrail(w: World) -> None:
    _every_guardrail(w, w.moment)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_memoised_verdicts_follow_the_moment_and_policy(w: World) -> None:
    for moment in Moment:  # one catalogue, so the same shared candidates at every moment
        _every_guardrail(w, moment)
    stricter = replace(w.context, policy=replace(w.context.policy, min_co_purchases=50))
    _every_guardrail(replace(w, context=stricter), w.moment)


def test_a_new_generation_of_shared_candidates_gives_the_same_decisions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    items = [product(s, 500) for s in ("a", "b", "c", "d")]
    ctx = context(items, [ev("a", "b"), ev("a", "c", score=0.4), ev("d", "c", score=0.2)])
    first = decide(customer(), Moment.CART, cart("a", "d"), ctx)
    old = ctx.catalog.memo.current()
    monkeypatch.setattr(SharedMemo, "LIMIT", 1)
    again = decide(customer(), Moment.CART, cart("a", "d"), ctx)
    assert ctx.catalog.memo.current() is not old
    assert again == first


def test_policies_built_per_call_start_new_generations_with_the_same_decisions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    items = [product(s, 500) for s in ("a", "b", "c")]
    evidence = [ev("a", "b"), ev("a", "c", score=0.4)]
    fresh = [decide(customer(), Moment.CART, cart("a"), context(items, evidence)) for _ in range(3)]
    ctx = context(items, evidence)
    monkeypatch.setattr(Generation, "SLOTS", 2)
    first = ctx.catalog.memo.current()
    for expected in fresh:
        policy = replace(ctx.policy)  # an equal policy, but a new object
        assert decide(customer(), Moment.CART, cart("a"), replace(ctx, policy=policy)) == expected
    assert ctx.catalog.memo.current() is not first


def test_judge_checks_every_guardrail_of_a_cross_sell_in_order() -> None:
    items = [product("a", 1000), product("b", 5000, inventory=0, currency="EUR")]
    ctx = context(items, [ev("a", "b", count=1, lift=0.5)], viewing=Sku("a"))
    s, _ = situate(Moment.CHECKOUT, cart("a"), ctx)
    (c,) = candidates(s, ctx.affinity, None)
    assert judge(c, s) == (
        ReasonCode.OUT_OF_STOCK,
        ReasonCode.CURRENCY_MISMATCH,
        ReasonCode.BELOW_RELEVANCE_FLOOR,
        ReasonCode.CURRENCY_MISMATCH,
        ReasonCode.TOO_BIG_FOR_MOMENT,
    )


def _decide_twice(ctx: DecisionContext) -> tuple[Decision, Decision]:
    first = decide(customer(), Moment.CART, cart("a"), ctx)
    return first, decide(customer(), Moment.CART, cart("a"), ctx)


def test_reused_cross_sell_candidates_give_the_same_decision() -> None:
    items = [product("a", 1000), product("b", 900), product("c", 800)]
    ctx = context(items, [ev("a", "b"), ev("a", "c", score=0.4)])
    first, again = _decide_twice(ctx)
    assert first == again
    assert [o.sku for o in first.offers] == ["b", "c"]


def test_builder_makes_the_same_frozen_value() -> None:
    fields = (Sku("b"), OfferKind.CROSS_SELL, Sku("a"), True, (ReasonCode.KEPT,), 0.5, 3, 0.1)
    built = builder(TraceEntry)(*fields, 2.0, 100)
    assert built == TraceEntry(*fields, 2.0, 100)
    assert hash(built) == hash(TraceEntry(*fields, 2.0, 100))


def test_trusted_money_equals_checked_money() -> None:
    assert Money.trusted(5, "GBP") == Money(5, "gbp")
    assert Money(2, "GBP") + Money(3, "GBP") == Money(5, "GBP")


def test_owned_plans_are_the_owned_once_products_on_a_ladder() -> None:
    items = [
        product("basic", 1000, ProductKind.SUBSCRIPTION, ladder="plans", rank=1),
        product("pro", 2000, ProductKind.SUBSCRIPTION, ladder="plans", rank=2),
        product("mug", 500, ladder="mugs", rank=1),
        product("ebook", 500, ProductKind.DIGITAL),
    ]
    assert context(items).catalog.owned_plans == {"basic", "pro"}
