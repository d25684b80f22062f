"""Moment email through the decision service on a real database: what a customer buys again,
ranked by the buy-again rule over their whole stored order history, logged like any decision."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tactful.domain.clock import FixedClock
from tactful.domain.customers import Consent, ConsentPurpose, Customer, CustomerId
from tactful.domain.money import Money
from tactful.domain.offers import Moment, OfferKind, OfferPolicy, OfferResponse, RepeatPurchase
from tactful.domain.orders import Order, OrderId, OrderLine
from tactful.services.decision_request import DecisionRequest
from tactful.services.decisions import ActiveModel, DecisionService
from tactful.services.email_offers import EngineEmailOffers
from tactful.services.ports.storage import Database
from tests.services.test_decisions import AFFINITY, LAMP, MUG, NOW, PEGS, TENT, product
from tests.services.wiring import decision_service

WHO = "repeat-buyer"
ORDERS = [  # (days ago, SKUs): pegs in three orders, the mug in two, the tent once
    (200, (TENT, PEGS)),
    (90, (PEGS, MUG)),
    (40, (PEGS,)),
    (10, (MUG,)),
]


@pytest.fixture
def service(database: Database) -> DecisionService:
    opted_in = Consent(ConsentPurpose.MARKETING_EMAIL, True, NOW - timedelta(days=300), "api")
    with database.transaction() as tx:
        tx.catalog.upsert_products(
            [product(TENT, 20000), product(PEGS, 900), product(LAMP, 2500), product(MUG, 700)],
            at=NOW - timedelta(days=365),
        )
        tx.customers.upsert_customers([Customer(CustomerId(WHO), consents=(opted_in,))], at=NOW)
        tx.orders.insert_orders(
            [
                Order(
                    OrderId(f"o{n}"),
                    NOW - timedelta(days=days),
                    tuple(OrderLine(sku, 1, Money(100, "GBP")) for sku in skus),
                    CustomerId(WHO),
                )
                for n, (days, skus) in enumerate(ORDERS)
            ],
            source="api",
        )
    active = ActiveModel(AFFINITY, "v-test")
    policy = OfferPolicy(holdout_share=0.0)
    return decision_service(database, model=lambda: active, policy=policy, clock=FixedClock(NOW))


def test_the_email_offers_what_they_buy_most_with_its_evidence(
    service: DecisionService, database: Database
) -> None:
    offers = EngineEmailOffers(service).offers(WHO, NOW, limit=2)
    assert [(o.kind, o.sku) for o in offers] == [
        (OfferKind.REPURCHASE, PEGS),
        (OfferKind.REPURCHASE, MUG),
    ]
    pegs = offers[0]
    assert pegs.repeat == RepeatPurchase(3, NOW - timedelta(days=40))
    assert pegs.reason.startswith("You've ordered this 3 times, the last on ")
    assert 3.0 < pegs.relevance < 4.0  # three orders plus recency and prior, less than a fourth
    decision = service.decide(DecisionRequest(customer_id=WHO, moment=Moment.EMAIL))
    lamp = next(entry for entry in decision.trace if entry.sku == LAMP)
    assert lamp.kind is OfferKind.CROSS_SELL  # a complement of the tent, ranked after
    assert lamp.for_sku == TENT
    assert lamp.relevance < 1.0
    with database.transaction() as tx:
        stored = tx.offers.get_impression(decision.decision_id, decision.offers[0].offer_id)
    assert stored is not None
    assert stored.kind == "repurchase"


def test_a_declined_repurchase_is_not_mailed_again_in_the_cooldown(
    service: DecisionService,
) -> None:
    first = service.decide(DecisionRequest(customer_id=WHO, moment=Moment.EMAIL))
    assert first.offers[0].sku == PEGS
    service.respond(first.decision_id, first.offers[0].offer_id, OfferResponse.DECLINED)
    later = EngineEmailOffers(service).offers(WHO, NOW + timedelta(days=1), limit=2)
    assert PEGS not in {o.sku for o in later}
    assert later[0].sku == MUG


def test_no_consent_no_offer_and_no_history_no_offer(
    service: DecisionService, database: Database
) -> None:
    withdrawn = Consent(ConsentPurpose.MARKETING_EMAIL, False, NOW - timedelta(days=1), "api")
    with database.transaction() as tx:
        tx.customers.upsert_customers([Customer(CustomerId(WHO), consents=(withdrawn,))], at=NOW)
    assert EngineEmailOffers(service).preview(WHO, NOW, limit=2) == []
    assert EngineEmailOffers(service).preview("nobody", NOW, limit=2) == []
