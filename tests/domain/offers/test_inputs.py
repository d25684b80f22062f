"""Inputs: stored events read back as offer events, and bad values refused with the field named."""

from __future__ import annotations

from datetime import datetime

import pytest

from tactful.domain.catalog import ProductKind, Sku
from tactful.domain.customers import CustomerId
from tactful.domain.events import Event, EventId, EventType
from tactful.domain.money import Money
from tactful.domain.offers import (
    EMPTY_AFFINITY,
    CartLine,
    DecisionContext,
    OfferCatalog,
    OfferEvent,
    OfferKind,
    OfferPolicy,
    OfferResponse,
    purchases_from_orders,
)
from tactful.domain.orders import LineSource, Order, OrderId, OrderLine
from tests.domain.offers.builders import NOW, product


def _event(event_type: EventType, **props: object) -> Event:
    return Event(EventId("e1"), event_type, CustomerId("c1"), NOW, Sku("tea"), props)


def test_stored_offer_events_are_read_back() -> None:
    event = _event(
        EventType.OFFER_DECLINED, kind="cross_sell", for_sku="mug", relevance=0.4, offer_id="o1"
    )
    assert OfferEvent.from_event(event) == OfferEvent(
        OfferResponse.DECLINED, Sku("tea"), NOW, OfferKind.CROSS_SELL, Sku("mug"), 0.4, "o1"
    )


def test_other_events_and_odd_properties_are_tolerated() -> None:
    assert OfferEvent.from_event(_event(EventType.ORDER_PLACED)) is None
    odd = OfferEvent.from_event(_event(EventType.OFFER_SHOWN, kind="spam", relevance="high"))
    assert odd is not None
    assert (odd.kind, odd.relevance) == (None, None)


def test_orders_become_purchases_with_their_source() -> None:
    line = OrderLine(Sku("pro"), 1, Money(100, "GBP"), source=LineSource.UPSELL)
    [purchase] = purchases_from_orders([Order(OrderId("o"), NOW, (line,))])
    assert (purchase.sku, purchase.at, purchase.source) == ("pro", NOW, LineSource.UPSELL)


@pytest.mark.parametrize("quantity", [0, -1])
def test_cart_quantity_must_be_positive(quantity: int) -> None:
    with pytest.raises(ValueError, match="quantity of tea"):
        CartLine(Sku("tea"), quantity)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("holdout_share", 1.5),
        ("budget", -1),
        ("modal_confidence_floor", -0.1),
        ("decline_label", " "),
    ],
)
def test_policy_refuses_bad_settings(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        OfferPolicy(**{field: value})  # type: ignore[arg-type]


def test_context_needs_an_aware_clock_and_an_id() -> None:
    catalog = OfferCatalog.build([])
    with pytest.raises(ValueError, match="now"):
        DecisionContext("d", datetime(2024, 1, 1), catalog, EMPTY_AFFINITY)
    with pytest.raises(ValueError, match="decision_id"):
        DecisionContext("", NOW, catalog, EMPTY_AFFINITY)


def test_catalogue_finds_rungs_and_longer_terms() -> None:
    sub = ProductKind.SUBSCRIPTION
    catalog = OfferCatalog.build(
        [
            product("m1", 1000, sub, ladder="p", rank=1),
            product("y1", 9000, sub, ladder="p", rank=1),
            product("m2", 2000, sub, ladder="p", rank=2),
            product("m3", 3000, sub, ladder="p", rank=3),
            product("m4", 4000, sub, ladder="p", rank=4, active=False),
        ]
    )
    assert [p.sku for p in catalog.upgrades(Sku("m1"))] == ["m2", "m3"]
    assert [p.sku for p in catalog.rungs_between(Sku("m1"), Sku("m3"))] == ["m2"]
    assert [p.sku for p in catalog.rungs_between(None, Sku("m3"))] == ["m2", "m1"]
    longer = catalog.longer_term(Sku("m1"))
    assert longer is not None
    assert longer.sku == "y1"
    assert catalog.longer_term(Sku("m2")) is None
    assert catalog.longer_term(Sku("y1")) is None
    assert catalog.history(Sku("m1")) == ()
