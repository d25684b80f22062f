"""The engine's fast paths give exactly what the plain definitions give."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from math import nan

import pytest
from hypothesis import HealthCheck, given, settings

from tactful.domain.catalog import ProductKind, Sku
from tactful.domain.frozen import builder
from tactful.domain.money import Money
from tactful.domain.offers import (
    AffinitySource,
    Decision,
    DecisionContext,
    Evidence,
    Moment,
    OfferKind,
    decide,
    engine,
)
from tactful.domain.offers.candidates import (
    _pooled,
    candidates,
    cross_sell_anchors,
    shared_candidates,
)
from tactful.domain.offers.decision import TraceEntry
from tactful.domain.offers.guardrails import GUARDRAILS, judge, judge_all
from tactful.domain.offers.memo import Generation, SharedMemo
from tactful.domain.offers.reasons import ReasonCode
from tactful.domain.offers.situation import situate
from tests.domain.offers.builders import NO_HOLDOUT, cart, context, customer, ev, product
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


class _Single:
    """The world's affinity declaring single antecedents and keeping each answer, as
    ModelAffinity does: decisions then take candidates' ranked-rows path."""

    single_antecedents = True

    def __init__(self, inner: AffinitySource) -> None:
        self._inner = inner
        self._kept: dict[tuple[Sku, int], Sequence[Evidence]] = {}

    def cross_sells(self, sku: Sku, limit: int) -> Sequence[Evidence]:
        key = (sku, limit)
        if key not in self._kept:
            self._kept[key] = tuple(self._inner.cross_sells(sku, limit))
        return self._kept[key]


def _fused_reasons(w: World, moment: Moment) -> None:
    s, _ = situate(moment, w.cart, w.context)
    for _ in range(2):  # what decisions share: first derived, then memoised
        pool, reused = shared_candidates(s, w.context.affinity, w.context.declined_upsell)
        trace, passing, _keys = engine._judge(pool, reused, s)
        reasons = [entry.reasons if entry is not None else () for entry in trace]
        assert reasons == judge_all(pool, s, reused)
        assert passing == [i for i, why in enumerate(reasons) if not why]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_the_engines_fused_judging_equals_judge_all(w: World) -> None:
    for moment in Moment:
        _fused_reasons(w, moment)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_ranked_rows_give_the_same_decisions_as_summed_scores(w: World) -> None:
    # The worlds' evidence has one antecedent, so both sources propose the same.
    single = replace(w.context, affinity=_Single(w.context.affinity))
    for moment in (w.moment, Moment.POST_PURCHASE):
        plain = decide(w.customer, moment, w.cart, w.context)
        for _ in range(2):
            assert decide(w.customer, moment, w.cart, single) == plain


def test_nan_and_repeated_scores_rank_as_two_stable_sorts() -> None:
    items = [product(s, 500) for s in ("a", "b", "c", "d", "e", "f")]
    cases = [
        [ev("a", "c", score=nan), ev("a", "d", score=0.3), ev("b", "e", score=0.3)],
        [ev("a", "c", score=0.2), ev("b", "c", score=0.2), ev("b", "d", score=0.4)],
        [ev("a", "d", score=0.0), ev("a", "c", score=-0.0), ev("b", "e", score=nan)],
        [ev("a", "e", score=0.1), ev("b", "d", score=0.1), ev("a", "unknown", score=0.9)],
    ]
    for evidence in cases:
        plain = context(items, evidence, policy=replace(NO_HOLDOUT, max_candidates=2))
        single = replace(plain, affinity=_Single(plain.affinity))
        for moment in (Moment.CART, Moment.BROWSING):
            expected = decide(customer(), moment, cart("a", "b"), plain)
            assert decide(customer(), moment, cart("a", "b"), single) == expected
            s, _ = situate(moment, cart("a", "b"), single)
            pool, _ = shared_candidates(s, single.affinity, None)
            limit = s.policy.cross_sells_per_item
            proposed = [single.affinity.cross_sells(a, limit) for a in cross_sell_anchors(s)]
            slow, _ = _pooled(s, proposed, None, s.catalog.memo.current())
            assert [(c.sku, c.relevance) for c in pool] == [(c.sku, c.relevance) for c in slow]
