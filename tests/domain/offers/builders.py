"""Small builders for offer-engine tests: products, evidence, customers, contexts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from tactful.domain.catalog import Bundle, PricePoint, Product, ProductKind, Sku, Tier
from tactful.domain.customers import Consent, ConsentPurpose, Customer, CustomerId
from tactful.domain.money import Money
from tactful.domain.offers import (
    AffinitySource,
    CartLine,
    Decision,
    DecisionContext,
    Evidence,
    InMemoryAffinity,
    Moment,
    OfferCatalog,
    OfferPolicy,
)
from tactful.domain.offers.engine import decide

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
NO_HOLDOUT = OfferPolicy(holdout_share=0.0)


def product(
    sku: str,
    price: int = 1000,
    kind: ProductKind = ProductKind.PHYSICAL,
    *,
    ladder: str | None = None,
    rank: int = 0,
    currency: str = "GBP",
    **fields: Any,
) -> Product:
    """A product priced in minor units."""
    tier = Tier(ladder, rank) if ladder is not None else None
    return Product(Sku(sku), sku.title(), Money(price, currency), kind, tier=tier, **fields)


def ev(
    x: str | tuple[str, ...],
    y: str,
    count: int = 50,
    antecedent_count: int = 200,
    *,
    lift: float = 2.0,
    score: float = 0.5,
) -> Evidence:
    """Evidence that `count` of `antecedent_count` buyers of x also bought y."""
    antecedent = (x,) if isinstance(x, str) else x
    return Evidence(
        antecedent=tuple(Sku(a) for a in antecedent),
        consequent=Sku(y),
        count=count,
        antecedent_count=antecedent_count,
        support=count / 10_000,
        confidence=count / antecedent_count,
        lift=lift,
        score=score,
    )


def customer(
    customer_id: str = "c1", *, onsite: bool | None = None, email: bool | None = None
) -> Customer:
    """A customer with the given consents recorded (None = nothing recorded)."""
    consents = []
    if onsite is not None:
        consents.append(Consent(ConsentPurpose.ONSITE_OFFERS, onsite, NOW - timedelta(days=1)))
    if email is not None:
        consents.append(Consent(ConsentPurpose.MARKETING_EMAIL, email, NOW - timedelta(days=1)))
    return Customer(CustomerId(customer_id), consents=tuple(consents))


def context(
    products: Iterable[Product],
    evidence: Iterable[Evidence] = (),
    *,
    bundles: Iterable[Bundle] = (),
    history: Iterable[PricePoint] = (),
    policy: OfferPolicy = NO_HOLDOUT,
    affinity: AffinitySource | None = None,
    **fields: Any,
) -> DecisionContext:
    """A decision context at NOW with no holdout unless a policy says otherwise."""
    catalog = OfferCatalog.build(products, history, bundles)
    return DecisionContext(
        decision_id="d1",
        now=NOW,
        catalog=catalog,
        affinity=affinity if affinity is not None else InMemoryAffinity(evidence),
        policy=policy,
        **fields,
    )


def cart(*skus: str) -> list[CartLine]:
    """Cart lines of one unit each."""
    return [CartLine(Sku(s)) for s in skus]


def run(
    moment: Moment,
    skus: Sequence[str],
    products: Iterable[Product],
    evidence: Iterable[Evidence] = (),
    *,
    who: Customer | None = None,
    **fields: Any,
) -> Decision:
    """Decide for a cart of one unit per SKU."""
    ctx = context(products, evidence, **fields)
    return decide(who or customer(), moment, cart(*skus), ctx)


def reasons_for(decision: Decision, sku: str) -> set[str]:
    """All reason codes recorded for candidates offering `sku`."""
    found = [set(e.reasons) for e in decision.trace if e.sku == sku]
    assert found, f"{sku} is not in the trace"
    return set().union(*found)


def offered(decision: Decision) -> list[str]:
    """SKUs offered, in order."""
    return [o.sku for o in decision.offers]
