"""Moment email: candidates ranked by the buy-again rule the next-purchase evaluation measures,
framed honestly, with every guardrail still applied."""

from __future__ import annotations

from datetime import datetime, timedelta

from tactful.domain.affinity.buy_again import history, ranked, scores
from tactful.domain.catalog import ProductKind, Sku
from tactful.domain.offers import (
    Decision,
    InMemoryAffinity,
    Moment,
    OfferEvent,
    OfferKind,
    OfferPolicy,
    OfferResponse,
    PastOrder,
    Purchase,
    ReasonCode,
    RepeatPurchase,
)
from tests.domain.offers.builders import NOW, customer, ev, offered, product, reasons_for, run

COFFEE, FILTERS, MUG, PLAN, CAKE = "coffee", "filters", "mug", "plan", "cake"
PRODUCTS = [
    product(COFFEE, 800),
    product(FILTERS, 300),
    product(MUG, 1000),
    product(CAKE, 900),
    product(PLAN, 900, ProductKind.SUBSCRIPTION),
]
RULES = [ev(COFFEE, FILTERS, score=0.5), ev(MUG, CAKE, score=0.3)]
OPTED_IN = customer(email=True)


def order(days_ago: float, *skus: str) -> PastOrder:
    """An order `days_ago` days before NOW."""
    return PastOrder(NOW - timedelta(days=days_ago), tuple(Sku(s) for s in skus))


def email(orders: list[PastOrder], **fields: object) -> Decision:
    """Decide at moment email for an opted-in customer with these orders (and their purchases)."""
    bought = [Purchase(sku, o.at) for o in orders for sku in o.skus]
    return run(
        Moment.EMAIL, [], PRODUCTS, RULES, who=OPTED_IN, orders=orders, purchases=bought, **fields
    )


def test_what_they_buy_most_comes_first_then_its_complements() -> None:
    orders = [order(90, COFFEE, MUG), order(60, COFFEE), order(30, COFFEE), order(5, MUG)]
    decision = email(orders)
    assert [(o.kind, o.sku) for o in decision.offers] == [
        (OfferKind.REPURCHASE, COFFEE),
        (OfferKind.REPURCHASE, MUG),
    ]
    coffee = decision.offers[0]
    assert coffee.headline == "Order Coffee again"
    assert coffee.reason == f"You've ordered this 3 times, the last on {_day(NOW - timedelta(30))}"
    assert coffee.repeat == RepeatPurchase(3, NOW - timedelta(days=30))
    assert coffee.for_sku is None
    assert coffee.evidence is None
    filters = next(e for e in decision.trace if e.sku == FILTERS)
    assert filters.kind is OfferKind.CROSS_SELL
    assert filters.for_sku == COFFEE
    assert filters.reasons == (ReasonCode.OVER_OFFER_LIMIT,)
    mug = next(e for e in decision.trace if e.sku == MUG)
    assert mug.repeat == RepeatPurchase(2, NOW - timedelta(days=5))


def test_relevance_is_the_evaluated_rule() -> None:
    orders = [order(40, COFFEE, MUG), order(10, COFFEE)]
    affinity = InMemoryAffinity(RULES, popularity={Sku(COFFEE): 1.0, Sku(CAKE): 0.5})
    decision = email(orders, affinity=affinity)
    aged = [(40.0, [COFFEE, MUG]), (10.0, [COFFEE])]

    class Prior:
        def similar(self, sku: str) -> list[tuple[str, float]]:
            return [(e.consequent, e.score) for e in affinity.cross_sells(Sku(sku), 5)]

        def popularity(self, sku: str) -> float:
            return affinity.popularity(Sku(sku))

    expected = scores(history(aged), Prior(), affinity.best_sellers(12))
    relevance = {entry.sku: entry.relevance for entry in decision.trace}
    assert relevance == expected
    assert [entry.sku for entry in decision.trace] == ranked(expected)  # the evaluation's order


def test_owned_subscriptions_are_not_offered_again() -> None:
    decision = email([order(20, PLAN), order(10, PLAN), order(3, CAKE)])
    assert reasons_for(decision, PLAN) == {ReasonCode.ALREADY_OWNED}
    assert offered(decision) == [CAKE]


def test_a_declined_repurchase_rests_for_the_cooldown() -> None:
    declined = OfferEvent(
        OfferResponse.DECLINED,
        Sku(COFFEE),
        NOW - timedelta(days=2),
        OfferKind.REPURCHASE,
        None,
        0.1,
    )
    orders = [order(30, COFFEE), order(20, COFFEE), order(10, COFFEE)]
    decision = email(orders, offer_events=[declined])
    assert reasons_for(decision, COFFEE) == {ReasonCode.COOLDOWN}
    assert COFFEE not in offered(decision)


def test_no_consent_no_mail_and_no_history_no_offer() -> None:
    orders = [order(10, COFFEE)]
    silent = run(Moment.EMAIL, [], PRODUCTS, RULES, who=customer(), orders=orders)
    assert silent.offers == ()
    assert reasons_for(silent, COFFEE) == {ReasonCode.NO_EMAIL_CONSENT}
    assert email([]).offers == ()
    assert email([order(-1, COFFEE)]).offers == ()  # an order after now is not history


def test_a_single_order_is_worded_as_one() -> None:
    decision = email([order(12, CAKE)])
    assert decision.offers[0].reason == f"You ordered this on {_day(NOW - timedelta(12))}"


def _day(at: datetime) -> str:
    return f"{at.day} {at:%B %Y}"


POPULAR = InMemoryAffinity(RULES, popularity={Sku(MUG): 1.0, Sku(CAKE): 0.5, Sku(FILTERS): 0.1})


def test_best_sellers_fill_a_short_history_and_say_so() -> None:
    decision = email([order(10, COFFEE)], affinity=POPULAR)
    assert [(o.kind, o.sku) for o in decision.offers] == [
        (OfferKind.REPURCHASE, COFFEE),
        (OfferKind.BEST_SELLER, MUG),
    ]
    mug = decision.offers[1]
    assert mug.reason == "One of our best-sellers"
    assert mug.headline == "Try Mug"
    assert mug.evidence is None
    assert mug.social_proof is None
    assert mug.for_sku is None
    cake = next(e for e in decision.trace if e.sku == CAKE)
    assert cake.kind is OfferKind.BEST_SELLER
    assert cake.reasons == (ReasonCode.OVER_OFFER_LIMIT,)
    filters = next(e for e in decision.trace if e.sku == FILTERS)
    assert filters.kind is OfferKind.CROSS_SELL  # a complement stays one, with its evidence


def test_a_full_history_leaves_no_room_for_best_sellers() -> None:
    orders = [order(30, COFFEE, CAKE), order(20, COFFEE, CAKE), order(10, COFFEE)]
    decision = email(orders, affinity=POPULAR)
    assert [(o.kind, o.sku) for o in decision.offers] == [
        (OfferKind.REPURCHASE, COFFEE),
        (OfferKind.REPURCHASE, CAKE),
    ]


def test_best_sellers_follow_every_guardrail() -> None:
    none_allowed = OfferPolicy(max_offers=0)
    assert email([order(10, COFFEE)], affinity=POPULAR, policy=none_allowed).offers == ()
    silent = run(Moment.EMAIL, [], PRODUCTS, RULES, who=customer(), affinity=POPULAR)
    assert silent.offers == ()
    assert reasons_for(silent, MUG) == {ReasonCode.NO_EMAIL_CONSENT}
    declined = OfferEvent(
        OfferResponse.DECLINED, Sku(MUG), NOW - timedelta(days=2), OfferKind.BEST_SELLER, None, 0.9
    )
    rested = email([order(10, COFFEE)], affinity=POPULAR, offer_events=[declined])
    assert reasons_for(rested, MUG) == {ReasonCode.COOLDOWN}
    assert MUG not in offered(rested)


def test_no_history_gets_best_sellers_only() -> None:
    decision = email([], affinity=POPULAR)
    assert [(o.kind, o.sku) for o in decision.offers] == [
        (OfferKind.BEST_SELLER, MUG),
        (OfferKind.BEST_SELLER, CAKE),
    ]
