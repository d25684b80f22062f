"""Hypothesis strategies: random catalogues, models, carts, moments, histories and consents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from hypothesis import strategies as st

from tactful.domain.catalog import Bundle, PricePoint, Product, ProductKind, Sku, Tier
from tactful.domain.customers import Consent, ConsentPurpose, Customer, CustomerId
from tactful.domain.money import Money
from tactful.domain.offers import (
    CartLine,
    DecisionContext,
    DeclinedUpsell,
    Evidence,
    InMemoryAffinity,
    Moment,
    OfferCatalog,
    OfferEvent,
    OfferKind,
    OfferPolicy,
    OfferResponse,
    PastOrder,
    Purchase,
    Task,
)
from tactful.domain.orders import LineSource
from tests.domain.offers.builders import NOW

SKUS = [Sku(f"p{i}") for i in range(6)]
_SKU = st.sampled_from(SKUS)
_MAYBE_SKU = st.none() | _SKU
_CURRENCY = st.sampled_from(["GBP"] * 9 + ["EUR"])
_KIND = st.sampled_from([ProductKind.PHYSICAL] * 5 + list(ProductKind))
_LADDER = st.none() | st.tuples(st.sampled_from(["L1", "L2"]), st.integers(1, 4))
_ACTIVE = st.sampled_from([True] * 9 + [False])
_STOCK = st.sampled_from([None] * 8 + [0, 3])
_PRICE = st.integers(0, 5000)
_CHEAP = st.integers(0, 1500)
_MAYBE_PRICE = st.none() | _PRICE
_CATEGORY = st.sampled_from([None, "a", "b"])
_OUTCOME = st.none() | st.just("A calmer morning")
_UNIT = st.floats(0.0, 1.0)
_LIFT = st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0, 4.0])
_DAYS = st.floats(0, 120)
_RECENT_DAYS = st.floats(0, 20)
_SOURCE = st.sampled_from(list(LineSource))
_RESPONSE = st.sampled_from(list(OfferResponse))
_OFFER_KIND = st.none() | st.sampled_from(list(OfferKind))
_RELEVANCE = st.none() | st.floats(0.0, 2.0)
_MOMENT = st.sampled_from(list(Moment))
_TASK = st.none() | st.sampled_from(list(Task))
_EXPIRES = st.none() | st.integers(-48, 48)
_CUSTOMER_ID = st.sampled_from(["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"])
_CONSENT = st.sampled_from([None, None, True, True, False])


@dataclass(frozen=True)
class World:
    """One random decision: who, when, what is in the cart, and everything around it."""

    customer: Customer
    moment: Moment
    cart: list[CartLine]
    context: DecisionContext


def _product(draw: st.DrawFn, sku: Sku) -> Product:
    """A product with random price, kind, ladder rung, compare-at, activity and stock."""
    currency = draw(_CURRENCY)
    compare = draw(_MAYBE_PRICE)
    ladder = draw(_LADDER)
    return Product(
        sku=sku,
        name=f"Item {sku}",
        price=Money(draw(_CHEAP if draw(st.booleans()) else _PRICE), currency),
        kind=draw(_KIND),
        category=draw(_CATEGORY),
        compare_at=Money(compare, currency) if compare is not None else None,
        tier=Tier(*ladder) if ladder is not None else None,
        outcome=draw(_OUTCOME),
        active=draw(_ACTIVE),
        inventory=draw(_STOCK),
    )


def _evidence(draw: st.DrawFn) -> Evidence:
    """Evidence between two catalogue SKUs with consistent counts."""
    x = draw(_SKU)
    y = draw(_SKU)
    antecedent_count = draw(st.integers(1, 500))
    count = draw(st.integers(0, antecedent_count))
    return Evidence(
        antecedent=(x,),
        consequent=y,
        count=count,
        antecedent_count=antecedent_count,
        support=count / 1000,
        confidence=count / antecedent_count,
        lift=draw(_LIFT),
        score=draw(_UNIT),
    )


def _purchase(draw: st.DrawFn) -> Purchase:
    return Purchase(draw(_SKU), NOW - timedelta(days=draw(_DAYS)), draw(_SOURCE))


def _past_order(draw: st.DrawFn) -> PastOrder:
    """An order up to 400 days ago (sometimes just after now: not history yet)."""
    skus = draw(st.lists(_SKU, min_size=1, max_size=3))
    return PastOrder(NOW - timedelta(days=draw(st.floats(-1, 400))), tuple(skus))


def _offer_event(draw: st.DrawFn) -> OfferEvent:
    return OfferEvent(
        response=draw(_RESPONSE),
        sku=draw(_SKU),
        at=NOW - timedelta(days=draw(_RECENT_DAYS)),
        kind=draw(_OFFER_KIND),
        relevance=draw(_RELEVANCE),
    )


def _customer(draw: st.DrawFn) -> Customer:
    consents = []
    for purpose in ConsentPurpose:
        granted = draw(_CONSENT)
        if granted is not None:
            consents.append(Consent(purpose, granted, NOW - timedelta(days=1)))
    return Customer(CustomerId(draw(_CUSTOMER_ID)), consents=tuple(consents))


def _policy(draw: st.DrawFn) -> OfferPolicy:
    if draw(st.booleans()):
        return OfferPolicy(holdout_share=0.0)
    return OfferPolicy(
        max_offers=draw(st.integers(0, 2)),
        min_co_purchases=draw(st.sampled_from([0, 5, 20])),
        holdout_share=draw(st.sampled_from([0.0, 0.0, 0.05, 1.0])),
        budget=draw(st.sampled_from([0, 1, 6])),
        social_proof_min_sample=draw(st.sampled_from([1, 30, 200])),
        price_ceiling=draw(st.sampled_from([1.25, 3.0])),
    )


def _bundle(draw: st.DrawFn, catalogue: dict[Sku, Product]) -> Bundle:
    first = draw(_SKU)
    second = SKUS[(SKUS.index(first) + draw(st.integers(1, len(SKUS) - 1))) % len(SKUS)]
    skus = frozenset({first, second})
    currency = catalogue[first].price.currency
    return Bundle(f"bundle-{first}-{second}", "Bundle", skus, Money(draw(_PRICE), currency))


def _price_history(draw: st.DrawFn, catalogue: dict[Sku, Product]) -> list[PricePoint]:
    points = []
    for _ in range(draw(st.integers(0, 3))):
        product = catalogue[draw(_SKU)]
        currency = product.price.currency
        points.append(PricePoint(product.sku, product.price, NOW - timedelta(days=1)))
        for _ in range(draw(st.integers(0, 2))):
            days = draw(st.integers(2, 60))
            amount = draw(_PRICE)
            points.append(
                PricePoint(product.sku, Money(amount, currency), NOW - timedelta(days=days))
            )
    return points


def _many(draw: st.DrawFn, most: int) -> range:
    return range(draw(st.integers(0, most)))


@st.composite
def worlds(draw: st.DrawFn) -> World:
    """A full random decision input."""
    catalogue = {sku: _product(draw, sku) for sku in SKUS}
    cart = [CartLine(draw(_SKU), draw(st.integers(1, 3))) for _ in _many(draw, 4)]
    if draw(st.integers(0, 9)) == 0:
        cart.append(CartLine(Sku("unknown")))
    declined = None
    if draw(st.booleans()):
        declined = DeclinedUpsell(draw(_SKU), draw(_MAYBE_SKU))
    expires = draw(_EXPIRES)
    context = DecisionContext(
        decision_id=draw(st.sampled_from(["d1", "d2"])),
        now=NOW,
        catalog=OfferCatalog.build(
            catalogue.values(),
            _price_history(draw, catalogue),
            [_bundle(draw, catalogue) for _ in _many(draw, 2)],
        ),
        affinity=InMemoryAffinity(
            [_evidence(draw) for _ in _many(draw, 15)],
            draw(st.dictionaries(_SKU, _UNIT, max_size=len(SKUS))),
        ),
        policy=_policy(draw),
        task=draw(_TASK),
        viewing=draw(_MAYBE_SKU),
        purchases=[_purchase(draw) for _ in _many(draw, 4)],
        orders=[_past_order(draw) for _ in _many(draw, 4)],
        offer_events=[_offer_event(draw) for _ in _many(draw, 4)],
        declined_upsell=declined,
        expires_at=NOW + timedelta(hours=expires) if expires is not None else None,
    )
    return World(_customer(draw), draw(_MOMENT), cart, context)
