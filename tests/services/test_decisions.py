"""The decision service on SQLite, PostgreSQL and memory: loads, decides, logs, cools down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

import pytest

from tactful.domain.catalog import Product, ProductKind, Sku
from tactful.domain.clock import FixedClock
from tactful.domain.customers import Consent, ConsentPurpose, Customer, CustomerId
from tactful.domain.experiments import assign
from tactful.domain.money import Money
from tactful.domain.offers import CartLine, Evidence, InMemoryAffinity, Moment, OfferPolicy
from tactful.domain.orders import Order, OrderId, OrderLine
from tactful.services.decisions import (
    ActiveModel,
    DecisionRequest,
    DecisionService,
    ModelAffinity,
    ModelCache,
    Response,
    UnknownOfferError,
)
from tactful.services.ports.storage import Database
from tests.services.wiring import decision_service

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
TENT, PEGS, LAMP, MUG = Sku("TENT"), Sku("PEGS"), Sku("LAMP"), Sku("MUG")


def product(sku: Sku, price: int, kind: ProductKind = ProductKind.PHYSICAL) -> Product:
    return Product(sku, sku.title(), Money(price, "GBP"), kind, outcome=f"Enjoy {sku.lower()}")


def evidence(anchor: Sku, other: Sku, together: int, confidence: float) -> Evidence:
    return Evidence((anchor,), other, together, 400, together / 2000, confidence, 3.0, confidence)


AFFINITY = InMemoryAffinity(
    [
        evidence(TENT, PEGS, 120, 0.30),
        evidence(TENT, LAMP, 80, 0.20),
        evidence(TENT, MUG, 40, 0.10),
    ]
)


def customer_id(*, held_out: bool) -> str:
    policy = OfferPolicy()
    for n in count():
        candidate = f"svc-{n}"
        if assign(candidate, policy.holdout_salt, policy.holdout_share) == held_out:
            return candidate
    raise AssertionError("unreachable")


def four_product_service(database: Database) -> DecisionService:
    """The decision service over four stored products and the AFFINITY model, at NOW."""
    with database.transaction() as tx:
        tx.catalog.upsert_products(
            [product(TENT, 20000), product(PEGS, 900), product(LAMP, 2500), product(MUG, 700)],
            at=NOW - timedelta(days=90),
        )
    active = ActiveModel(AFFINITY, "v-test")
    return decision_service(database, model=lambda: active, clock=FixedClock(NOW))


@pytest.fixture
def service(database: Database) -> DecisionService:
    return four_product_service(database)


def test_cross_sells_are_decided_and_logged(service: DecisionService, database: Database) -> None:
    decision = service.decide(
        DecisionRequest(
            customer_id=customer_id(held_out=False), moment=Moment.CART, cart=(CartLine(TENT),)
        )
    )
    assert 1 <= len(decision.offers) <= 2
    assert decision.offers[0].sku == PEGS
    assert all(not o.preselected for o in decision.offers)
    with database.transaction() as tx:
        stored = tx.offers.get_impression(decision.decision_id, decision.offers[0].offer_id)
        assert tx.offers.count_decisions() == 1
    assert stored is not None
    assert stored.sku == PEGS


def test_declined_offer_cools_down_and_next_best_shows(service: DecisionService) -> None:
    who = customer_id(held_out=False)
    first = service.decide(
        DecisionRequest(customer_id=who, moment=Moment.CART, cart=(CartLine(TENT),))
    )
    declined = first.offers[0]
    outcome = service.respond(first.decision_id, declined.offer_id, Response.DECLINED)
    assert outcome.duplicate is False
    assert service.respond(first.decision_id, declined.offer_id, Response.DECLINED).duplicate
    second = service.decide(
        DecisionRequest(customer_id=who, moment=Moment.CART, cart=(CartLine(TENT),))
    )
    assert declined.sku not in {o.sku for o in second.offers}
    assert second.offers


def test_cooldown_ends_after_fourteen_days(service: DecisionService) -> None:
    who = customer_id(held_out=False)
    first = service.decide(
        DecisionRequest(customer_id=who, moment=Moment.CART, cart=(CartLine(TENT),))
    )
    service.respond(first.decision_id, first.offers[0].offer_id, Response.DISMISSED)
    assert isinstance(service.clock, FixedClock)
    service.clock.advance(days=15)
    later = service.decide(
        DecisionRequest(customer_id=who, moment=Moment.CART, cart=(CartLine(TENT),))
    )
    assert first.offers[0].sku in {o.sku for o in later.offers}


def test_unknown_offer_raises(service: DecisionService) -> None:
    decision = service.decide(
        DecisionRequest(customer_id="c1", moment=Moment.CART, cart=(CartLine(TENT),))
    )
    with pytest.raises(UnknownOfferError):
        service.respond(decision.decision_id, "off_nope", Response.ACCEPTED)
    with pytest.raises(UnknownOfferError):
        service.respond("dec_nope", "off_nope", Response.ACCEPTED)


def test_held_out_customer_is_logged_without_offers(
    service: DecisionService, database: Database
) -> None:
    decision = service.decide(
        DecisionRequest(
            customer_id=customer_id(held_out=True), moment=Moment.CART, cart=(CartLine(TENT),)
        )
    )
    assert decision.held_out
    assert decision.offers == ()
    with database.transaction() as tx:
        assert tx.offers.count_decisions(held_out=True) == 1
        assert tx.offers.count_impressions() == 0


def test_withdrawn_consent_and_ownership_are_read(
    service: DecisionService, database: Database
) -> None:
    who = customer_id(held_out=False)
    withdrawn = Consent(ConsentPurpose.ONSITE_OFFERS, False, NOW - timedelta(days=1), "api")
    with database.transaction() as tx:
        tx.customers.upsert_customers([Customer(CustomerId(who), consents=(withdrawn,))], at=NOW)
    assert (
        service.decide(
            DecisionRequest(customer_id=who, moment=Moment.CART, cart=(CartLine(TENT),))
        ).offers
        == ()
    )
    buyer = customer_id(held_out=False)
    while buyer == who or assign(buyer, "holdout", 0.05):
        buyer += "x"
    line = OrderLine(PEGS, 1, Money(900, "GBP"))
    with database.transaction() as tx:
        tx.orders.insert_orders(
            [Order(OrderId("o1"), NOW - timedelta(days=2), (line,), CustomerId(buyer))],
            source="api",
        )
    decision = service.decide(
        DecisionRequest(customer_id=buyer, moment=Moment.CART, cart=(CartLine(TENT),))
    )
    assert PEGS in {o.sku for o in decision.offers}, "physical items may be offered again"


def test_catalogue_reload_sees_new_products(service: DecisionService, database: Database) -> None:
    assert service.catalog.current().get(Sku("NEW")) is None
    with database.transaction() as tx:
        tx.catalog.upsert_products([product(Sku("NEW"), 100)], at=NOW)
    service.catalog.reload()
    assert service.catalog.current().get(Sku("NEW")) is not None


class _Model:
    """A mined model's two lookups, with known counts."""

    def item_count(self, sku: str) -> float:
        return {"A": 100.0, "B": 50.0, "C": 10.0}.get(sku, 0.0)

    def neighbours(self, sku: str) -> list[tuple[str, float, float]]:
        return [("C", 0.2, 5.0), ("B", 0.6, 40.0)] if sku == "A" else []


def test_model_affinity_turns_neighbours_into_honest_evidence() -> None:
    source = ModelAffinity(_Model(), n_baskets=1000)
    found = source.cross_sells(Sku("A"), 5)
    assert [e.consequent for e in found] == ["B", "C"]
    best = found[0]
    assert (best.count, best.antecedent_count) == (40, 100)
    assert best.confidence == pytest.approx(0.4)
    assert best.lift == pytest.approx(0.4 / 0.05)
    assert best.support == pytest.approx(0.04)
    assert source.cross_sells(Sku("A"), 1) == found[:1]
    assert source.cross_sells(Sku("Z"), 5) == ()


def test_model_cache_wraps_each_loaded_version_once() -> None:
    class Loaded:
        def __init__(self, version: str) -> None:
            self.model = _Model()
            self.info = type("Info", (), {"version": version})()

    class Itemsets:
        n_baskets = 1000.0

    current: list[object | None] = [None]
    cache = ModelCache(lambda: current[0])
    assert cache().version is None
    first = Loaded("v1")
    first.model.itemsets = Itemsets()  # type: ignore[attr-defined]
    current[0] = first
    assert cache().version == "v1"
    assert cache() is cache()
