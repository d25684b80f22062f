"""Invariants of the respect policy over random catalogues, carts, moments and histories."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings

from tactful.domain.catalog import lawful_compare_at
from tactful.domain.customers import ConsentPurpose
from tactful.domain.experiments import assign
from tactful.domain.offers import Decision, Moment, OfferKind, OfferResponse, ReasonCode, Task
from tactful.domain.offers.candidates import candidates
from tactful.domain.offers.engine import decide
from tactful.domain.offers.framing import share_percent
from tactful.domain.offers.guardrails import GUARDRAILS
from tactful.domain.offers.moments import uses_buy_again
from tactful.domain.offers.repurchases import buy_again
from tactful.domain.offers.situation import budget_day, offer_key, situate
from tests.domain.offers.worlds import World, worlds


def _decide(w: World) -> Decision:
    return decide(w.customer, w.moment, w.cart, w.context)


def _known_cart(w: World) -> set[str]:
    return {line.sku for line in w.cart if w.context.catalog.get(line.sku) is not None}


def check_at_most_two_distinct_offers_never_preselected(w: World, decision: Decision) -> None:
    assert len(decision.offers) <= w.context.policy.max_offers <= 2
    assert len({o.sku for o in decision.offers}) == len(decision.offers)
    assert all(o.preselected is False for o in decision.offers)
    assert all(o.decline_label for o in decision.offers)


def check_nothing_at_payment_and_no_upsell_before_commitment(w: World, decision: Decision) -> None:
    if w.moment is Moment.PAYMENT:
        assert decision.offers == ()
    bought = {p.sku for p in w.context.purchases}
    for offer in decision.offers:
        if offer.kind in (OfferKind.UPSELL, OfferKind.BUNDLE, OfferKind.DOWNSELL):
            assert offer.for_sku in _known_cart(w) | bought


def check_cross_sells_clear_the_relevance_floor_and_price_ceiling(
    w: World, decision: Decision
) -> None:
    policy, catalog = w.context.policy, w.context.catalog
    for offer in decision.offers:
        if offer.kind is OfferKind.CROSS_SELL:
            assert offer.evidence is not None
            assert offer.evidence.count >= policy.min_co_purchases
            assert offer.evidence.lift > policy.min_lift
            anchor = catalog.get(offer.for_sku) if offer.for_sku else None
            assert anchor is not None
            assert offer.price.price.amount <= anchor.price.amount * policy.price_ceiling


def check_small_offers_only_while_a_task_is_in_progress(w: World, decision: Decision) -> None:
    busy = w.moment is Moment.CHECKOUT or (
        w.moment is Moment.IN_APP and w.context.task is not Task.COMPLETED
    )
    if not busy:
        return
    cart_total = sum(
        p.price.amount * line.quantity
        for line in w.cart
        if (p := w.context.catalog.get(line.sku)) is not None
    )
    for offer in decision.offers:
        increase = offer.cart_total_after.amount - cart_total
        assert increase <= cart_total * w.context.policy.in_progress_max_increase


def _spends(w: World) -> set[tuple[str, object]]:
    """(offer key, budget day) of the showings inside the budget window."""
    policy, now = w.context.policy, w.context.now
    return {
        (offer_key(e.kind, e.sku, e.for_sku), budget_day(e.at))
        for e in w.context.offer_events
        if e.response is OfferResponse.SHOWN and timedelta() <= now - e.at < policy.budget_window
    }


def check_cooldown_and_budget_are_respected(w: World, decision: Decision) -> None:
    policy, now = w.context.policy, w.context.now
    for offer in decision.offers:
        for event in w.context.offer_events:
            recent = now - event.at < policy.cooldown
            nag = event.response in (OfferResponse.DECLINED, OfferResponse.DISMISSED)
            if recent and nag and event.sku == offer.sku:
                assert event.relevance is not None
                assert offer.relevance > event.relevance * (1 + policy.stronger_signal_margin)
    spends = _spends(w)
    today = {key for key, day in spends if day == budget_day(now)}
    new_offers = [offer for offer in decision.offers if offer.key not in today]
    assert len(new_offers) <= max(policy.budget - len(spends), 0)


def check_consent_is_respected(w: World, decision: Decision) -> None:
    if w.moment is Moment.EMAIL:
        if not w.customer.allows(ConsentPurpose.MARKETING_EMAIL):
            assert decision.offers == ()
    elif not w.customer.allows(ConsentPurpose.ONSITE_OFFERS):
        assert decision.offers == ()


def check_held_out_customers_get_nothing_and_stay_held_out(w: World, decision: Decision) -> None:
    policy = w.context.policy
    expected = assign(w.customer.customer_id, policy.holdout_salt, policy.holdout_share)
    assert decision.held_out is expected
    if decision.held_out:
        assert decision.offers == ()


def check_nothing_owned_or_already_in_the_cart(w: World, decision: Decision) -> None:
    catalog = w.context.catalog
    owned = {
        p.sku
        for p in w.context.purchases
        if (product := catalog.get(p.sku)) is not None and product.kind.is_owned_once
    }
    for offer in decision.offers:
        assert offer.sku not in _known_cart(w)
        assert offer.sku not in owned


def check_evidence_claims_are_honest(w: World, decision: Decision) -> None:
    policy = w.context.policy
    for offer in decision.offers:
        proof, ev = offer.social_proof, offer.evidence
        if proof is not None:
            assert ev is not None
            assert proof.sample_size == ev.antecedent_count >= policy.social_proof_min_sample
            assert proof.share == share_percent(ev) == ev.count * 100 // ev.antecedent_count
            assert f"{proof.share}% of {proof.sample_size:,} {ev.unit}" in proof.text
        expires = w.context.expires_at
        if offer.urgency is not None:
            assert expires is not None
            assert offer.urgency.expires_at == expires > w.context.now
        else:
            assert expires is None or expires <= w.context.now


def check_compare_at_only_when_lawful(w: World, decision: Decision) -> None:
    catalog = w.context.catalog
    for offer in decision.offers:
        block = offer.price
        product = catalog.get(offer.sku)
        if block.compare_at is None:
            assert block.savings is None
            continue
        assert product is not None
        assert block.compare_at == lawful_compare_at(
            product, catalog.history(offer.sku), w.context.now
        )
        assert block.savings is not None
        assert block.savings.amount == block.compare_at.amount - block.price.amount > 0


def check_every_candidate_is_traced_with_a_reason(w: World, decision: Decision) -> None:
    assert all(entry.reasons for entry in decision.trace)
    kept = [(e.sku, e.kind, e.for_sku) for e in decision.trace if e.kept]
    assert kept == [(e.sku, e.kind, e.for_sku) for e in decision.trace if e.reasons == ("kept",)]
    assert sorted(kept) == sorted((o.sku, o.kind, o.for_sku) for o in decision.offers)
    unknown = [line for line in w.cart if w.context.catalog.get(line.sku) is None]
    assert len(decision.warnings) >= len(unknown)


def check_every_offer_passes_each_of_the_twelve_guardrails(w: World, decision: Decision) -> None:
    situation, _ = situate(w.moment, w.cart, w.context)
    offered = {(o.sku, o.kind, o.for_sku) for o in decision.offers}
    pool = candidates(situation, w.context.affinity, w.context.declined_upsell)
    if uses_buy_again(situation.moment):
        pool += buy_again(situation, w.context.affinity, w.context.orders)
    for candidate in pool:
        if (candidate.sku, candidate.kind, candidate.for_sku) in offered:
            assert [guardrail(candidate, situation) for guardrail in GUARDRAILS] == [None] * 12


_FILLED_FIRST = (ReasonCode.OVER_OFFER_LIMIT, ReasonCode.BUDGET_EXHAUSTED)


def check_best_sellers_only_fill_an_email_and_say_so(w: World, decision: Decision) -> None:
    """A best-seller is mailed only at moment email, among the best-sellers, said to be one,
    and only where nothing the customer's history proposed was left out for lack of room."""
    fills = [o for o in decision.offers if o.kind is OfferKind.BEST_SELLER]
    if not fills:
        return
    assert w.moment is Moment.EMAIL
    best = set(w.context.affinity.best_sellers(w.context.policy.max_candidates))
    history = {sku for order in w.context.orders if order.at <= w.context.now for sku in order.skus}
    for offer in fills:
        assert offer.sku in best
        assert offer.sku not in history
        assert offer.reason == "One of our best-sellers"
        assert offer.evidence is None
        assert offer.social_proof is None
        assert offer.repeat is None
    today = {key for key, day in _spends(w) if day == budget_day(w.context.now)}
    for entry in decision.trace:
        if entry.kind not in (OfferKind.REPURCHASE, OfferKind.CROSS_SELL):
            continue
        if not set(entry.reasons) & set(_FILLED_FIRST):
            continue
        for fill in fills:  # passed over for a fill only when it needed budget and the fill not
            if entry.relevance > fill.relevance:
                assert fill.key in today
                assert entry.candidate.key not in today


CHECKS = (
    check_at_most_two_distinct_offers_never_preselected,
    check_nothing_at_payment_and_no_upsell_before_commitment,
    check_cross_sells_clear_the_relevance_floor_and_price_ceiling,
    check_small_offers_only_while_a_task_is_in_progress,
    check_cooldown_and_budget_are_respected,
    check_consent_is_respected,
    check_held_out_customers_get_nothing_and_stay_held_out,
    check_nothing_owned_or_already_in_the_cart,
    check_evidence_claims_are_honest,
    check_compare_at_only_when_lawful,
    check_every_candidate_is_traced_with_a_reason,
    check_every_offer_passes_each_of_the_twelve_guardrails,
    check_best_sellers_only_fill_an_email_and_say_so,
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_respect_policy_holds_for_any_input(w: World) -> None:
    decision = _decide(w)
    for check in CHECKS:
        check(w, decision)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_decisions_are_deterministic(w: World) -> None:
    assert _decide(w) == _decide(w)
