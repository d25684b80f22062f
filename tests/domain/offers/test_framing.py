"""Framing: outcome first, honest numbers, lawful prices, real deadlines, an easy way out."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest

from tactful.domain.catalog import Bundle, PricePoint, Sku
from tactful.domain.money import Money
from tactful.domain.offers import Format, Moment, Offer, OfferPolicy, PastOrder, Purchase, Task
from tests.domain.offers.builders import NOW, customer, ev, product, run

MUG, TEA = "mug", "tea"
PRODUCTS = [product(MUG, 1000, category="kitchen"), product(TEA, 500, category="pantry")]
PRESSURE = ("hurry", "last chance", "only", "don't miss", "limited", "now or never", "act fast")


def _one(moment: Moment = Moment.CART, **fields: Any) -> Offer:
    evidence = fields.pop("evidence", [ev(MUG, TEA, 127, 412)])
    products = fields.pop("products", PRODUCTS)
    decision = run(moment, [MUG], products, evidence, **fields)
    assert len(decision.offers) == 1
    return decision.offers[0]


def test_reason_and_social_proof_use_real_numbers_rounded_down() -> None:
    offer = _one()
    assert offer.reason == "Bought together in 30% of orders with Mug"  # 30.8% -> 30
    assert offer.social_proof is not None
    assert offer.social_proof.text == "30% of 412 orders with Mug also included Tea"
    assert (offer.social_proof.share, offer.social_proof.sample_size) == (30, 412)
    assert offer.evidence is not None
    assert offer.evidence.count == 127


def test_customer_level_evidence_is_worded_as_customers() -> None:
    evidence = dataclasses.replace(ev(MUG, TEA, 127, 412), unit="customers")
    offer = _one(evidence=[evidence])
    assert offer.reason == "Bought together by 30% of customers who bought Mug"
    assert offer.social_proof is not None
    assert offer.social_proof.text == "30% of 412 customers who bought Mug also bought Tea"


def test_no_social_proof_below_the_minimum_sample() -> None:
    offer = _one(evidence=[ev(MUG, TEA, 10, 29)])
    assert offer.social_proof is None
    assert offer.reason == "Often bought together with Mug"
    policy = OfferPolicy(social_proof_min_sample=20, holdout_share=0)
    assert _one(evidence=[ev(MUG, TEA, 10, 29)], policy=policy).social_proof is not None


def test_headline_uses_the_outcome_line_or_writes_one() -> None:
    outcome = [product(MUG, 1000), product(TEA, 500, outcome="Calm mornings, every day")]
    assert _one(products=outcome).headline == "Calm mornings, every day"
    assert _one().headline == "Get more from your Mug with Tea"
    same = [product(MUG, 1000, category="k"), product(TEA, 500, category="k")]
    assert _one(products=same).headline == "Complete your set with Tea"


def test_copy_has_no_pressure_words() -> None:
    offer = _one(expires_at=NOW + timedelta(hours=2))
    text = " ".join([offer.headline, offer.reason, offer.decline_label]).lower()
    assert not [w for w in PRESSURE if w in text]
    assert offer.decline_label == "No thanks"


def test_never_preselected_and_price_is_transparent() -> None:
    offer = _one(moment=Moment.CHECKOUT, products=[product(MUG, 1000), product(TEA, 200)])
    assert offer.preselected is False
    assert offer.format is Format.ORDER_BUMP
    assert offer.price.price == Money(200, "GBP")
    assert offer.cart_total_after == Money(1200, "GBP")


def test_urgency_only_with_a_real_future_deadline() -> None:
    assert _one().urgency is None
    assert _one(expires_at=NOW - timedelta(minutes=1)).urgency is None
    deadline = NOW + timedelta(hours=3)
    urgency = _one(expires_at=deadline).urgency
    assert urgency is not None
    assert urgency.expires_at == deadline
    assert urgency.text == "Offer ends 01 Jun 2024, 15:00 UTC"


def _priced(history: list[tuple[int, int]]) -> list[PricePoint]:
    return [PricePoint(Sku(TEA), Money(p, "GBP"), NOW - timedelta(days=d)) for d, p in history]


def test_compare_at_only_when_lawful() -> None:
    tea = product(TEA, 500, compare_at=Money(700, "GBP"))
    lawful = _priced([(40, 700), (5, 500)])
    offer = _one(products=[product(MUG), tea], history=lawful)
    assert offer.price.compare_at == Money(700, "GBP")
    assert offer.price.savings == Money(200, "GBP")
    inflated = _priced([(40, 600), (20, 700), (5, 500)])  # lowest prior 30-day price was 600
    offer = _one(products=[product(MUG), tea], history=inflated)
    assert (offer.price.compare_at, offer.price.savings) == (None, None)
    assert _one(products=[product(MUG), tea]).price.compare_at is None


@pytest.mark.parametrize(
    ("moment", "task", "expected"),
    [
        (Moment.BROWSING, None, Format.INLINE),
        (Moment.CART, None, Format.INLINE),
        (Moment.CHECKOUT, None, Format.ORDER_BUMP),
        (Moment.POST_PURCHASE, None, Format.ONE_CLICK),
        (Moment.IN_APP, Task.IN_PROGRESS, Format.INLINE),
        (Moment.IN_APP, Task.COMPLETED, Format.BANNER),
        (Moment.USAGE_LIMIT, None, Format.BANNER),
    ],
)
def test_format_follows_the_moment(moment: Moment, task: Task | None, expected: Format) -> None:
    products = [product(MUG, 1000), product(TEA, 100)]
    assert _one(moment=moment, task=task, products=products).format is expected


def test_modal_only_at_a_peak_with_high_confidence() -> None:
    products = [product(MUG, 1000), product(TEA, 100)]
    confident = [ev(MUG, TEA, 150, 200)]
    peak = _one(moment=Moment.IN_APP, task=Task.COMPLETED, products=products, evidence=confident)
    assert peak.format is Format.MODAL
    busy = _one(moment=Moment.IN_APP, task=Task.IN_PROGRESS, products=products, evidence=confident)
    assert busy.format is Format.INLINE


def test_email_offers_come_from_the_order_history() -> None:
    bought = [Purchase(Sku(MUG), NOW - timedelta(days=3))]
    history = [PastOrder(NOW - timedelta(days=3), (Sku(MUG),))]
    fields: dict[str, Any] = {"purchases": bought, "orders": history}
    decision = run(Moment.EMAIL, [], PRODUCTS, [ev(MUG, TEA)], **fields)
    assert decision.offers == ()  # no marketing consent recorded
    decision = run(Moment.EMAIL, [], PRODUCTS, [ev(MUG, TEA)], who=customer(email=True), **fields)
    assert [o.key for o in decision.offers] == ["repurchase:mug:", "cross_sell:tea:mug"]
    assert {o.format for o in decision.offers} == {Format.EMAIL}
    assert decision.offers[1].cart_total_after == Money(500, "GBP")


def test_offer_ids_are_stable_and_distinct() -> None:
    rules = [ev(MUG, TEA), ev(MUG, "spoon")]
    products = [*PRODUCTS, product("spoon", 300)]
    first = run(Moment.CART, [MUG], products, rules)
    again = run(Moment.CART, [MUG], products, rules)
    assert [o.offer_id for o in first.offers] == [o.offer_id for o in again.offers]
    assert len({o.offer_id for o in first.offers}) == 2
    assert first.offers[0].key == "cross_sell:spoon:mug"  # equal evidence: the smaller ask first


def test_bundle_reason_states_the_separate_price() -> None:
    products = [product(MUG, 1000), product(TEA, 500)]
    bundle = Bundle("set", "Tea Set", frozenset({Sku(MUG), Sku(TEA)}), Money(1300, "GBP"))
    decision = run(Moment.CART, [MUG], products, bundles=[bundle])
    offer = decision.offers[0]
    assert offer.sku == "set"
    assert offer.reason == "Includes Mug; £13.00 together, £15.00 bought separately"
    assert offer.cart_total_after == Money(1300, "GBP")
