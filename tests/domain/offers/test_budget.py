"""The shown-offer budget counts distinct offers shown per day, not renders (issue 21, bug 6).

A storefront asks for a decision on every page view, so a refresh, back and forward or a
second tab shows the same offers again; none of that may spend the weekly budget.
"""

from __future__ import annotations

from datetime import timedelta

from tactful.domain.catalog import Sku
from tactful.domain.offers import Decision, Moment, OfferEvent, OfferResponse, ReasonCode
from tactful.domain.offers.engine import over_budget
from tactful.domain.offers.moments import OfferKind
from tests.domain.offers.builders import NOW, ev, offered, product, reasons_for, run

MUG, TEA, SPOON, KETTLE = "mug", "tea", "spoon", "kettle"
PRODUCTS = [product(MUG, 1000), product(TEA, 500), product(SPOON, 300), product(KETTLE, 900)]
RULES = [ev(MUG, TEA, score=0.6), ev(MUG, SPOON, score=0.4), ev(KETTLE, SPOON, score=0.5)]


def shown(decision: Decision, *, later: timedelta = timedelta()) -> list[OfferEvent]:
    """The decision's offers as the log records them (what the next decision reads back)."""
    return [
        OfferEvent(OfferResponse.SHOWN, o.sku, decision.at + later, o.kind, o.for_sku)
        for o in decision.offers
    ]


def other_offers(n: int, days: float) -> list[OfferEvent]:
    at = NOW - timedelta(days=days)
    return [
        OfferEvent(OfferResponse.SHOWN, Sku(f"x{i}"), at, OfferKind.CROSS_SELL, Sku(MUG))
        for i in range(n)
    ]


def test_refreshing_the_cart_shows_the_same_offers_all_week() -> None:
    first = run(Moment.CART, [MUG], PRODUCTS, RULES, offer_events=other_offers(4, 2))
    assert offered(first) == [TEA, SPOON]  # 4 + 2 spends: the budget of 6 is now full
    events = other_offers(4, 2)
    for n in range(20):  # refreshes the same day
        again = run(Moment.CART, [MUG], PRODUCTS, RULES, offer_events=events)
        assert offered(again) == [TEA, SPOON], f"refresh {n}"
        events += shown(again, later=timedelta(minutes=n))


def test_back_forward_and_a_second_tab_spend_nothing_new() -> None:
    cart_page = run(Moment.CART, [MUG], PRODUCTS, RULES, offer_events=other_offers(4, 1))
    events = [*other_offers(4, 1), *shown(cart_page)]
    # another page spends nothing: the budget is full, so a new offer there is refused
    kettle_page = run(Moment.CART, [KETTLE], PRODUCTS, RULES, offer_events=events)
    assert kettle_page.offers == ()
    assert reasons_for(kettle_page, SPOON) == {ReasonCode.BUDGET_EXHAUSTED}
    for _tab_or_back in range(3):  # back to the cart, in this tab or a second one
        back = run(Moment.CART, [MUG], PRODUCTS, RULES, offer_events=events)
        assert offered(back) == [TEA, SPOON]
        events += shown(back)


def test_the_same_offer_shown_many_times_a_day_is_one_spend() -> None:
    tea_all_day = [
        OfferEvent(OfferResponse.SHOWN, Sku(TEA), NOW - timedelta(hours=h), OfferKind.CROSS_SELL)
        for h in range(1, 11)
    ]
    once = [*tea_all_day, *other_offers(4, 3)]  # 1 + 4 = 5 spends: room for one more
    decision = run(Moment.CART, [KETTLE], PRODUCTS, RULES, offer_events=once)
    assert offered(decision) == [SPOON]


def test_showing_it_again_on_another_day_spends_again() -> None:
    first = run(Moment.CART, [MUG], PRODUCTS, RULES)
    days = [e for d in range(1, 4) for e in shown(first, later=-timedelta(days=d))]
    # TEA and SPOON on three earlier days: 6 spends; today they are new again and refused
    decision = run(Moment.CART, [MUG], PRODUCTS, RULES, offer_events=days)
    assert decision.offers == ()
    assert reasons_for(decision, TEA) == {ReasonCode.BUDGET_EXHAUSTED}
    week_later = run(Moment.CART, [MUG], PRODUCTS, RULES, offer_events=other_offers(6, 8))
    assert offered(week_later) == [TEA, SPOON]


def test_offers_the_database_refused_are_dropped_and_traced() -> None:
    decision = run(Moment.CART, [MUG], PRODUCTS, RULES)
    spoon = next(o.key for o in decision.offers if o.sku == SPOON)
    trimmed = over_budget(decision, {spoon})
    assert offered(trimmed) == [TEA]
    assert reasons_for(trimmed, SPOON) == {ReasonCode.BUDGET_EXHAUSTED}
    assert reasons_for(trimmed, TEA) == {ReasonCode.KEPT}
    assert over_budget(decision, set()) is decision
