"""Moment `email`: what the customer buys again, then what goes with it.

Ranked by the buy-again rule `tactful evaluate --task next-purchase` measures
(`domain/affinity/buy_again.scores`), over the customer's whole order history and the mined
model as its prior: neighbours are the model's cross-sells of each bought item, popularity its
item counts. Every catalogue product bought is a repurchase candidate (the not_owned guardrail
drops subscriptions, digital items and the like); a complement is a cross-sell carrying its
strongest co-purchase evidence, so the usual guardrails judge it. When the history and its
complements leave room, the model's best-sellers fill it as the evaluation's ranking does (the
rule's popularity term over the `max_candidates` most ordered items): a `best_seller`
candidate, said to be one, judged by the same guardrails as every other.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from tactful.domain.affinity.buy_again import Bought, history, ranked, scores
from tactful.domain.catalog import Product, Sku
from tactful.domain.offers.candidates import (
    Candidate,
    cross_sell_candidate,
    cross_sold_product,
    strongest,
)
from tactful.domain.offers.evidence import AffinitySource, Evidence, RepeatPurchase
from tactful.domain.offers.inputs import PastOrder
from tactful.domain.offers.moments import OfferKind
from tactful.domain.offers.situation import Situation

_DAY = 86400.0


class _ModelPrior:
    """The mined model as the rule's prior; keeps the evidence each bought item proposed."""

    def __init__(self, affinity: AffinitySource, limit: int) -> None:
        self._affinity = affinity
        self._limit = limit
        self.proposed: list[Sequence[Evidence]] = []

    def similar(self, item: Sku) -> list[tuple[Sku, float]]:
        found = self._affinity.cross_sells(item, self._limit)
        self.proposed.append(found)
        return [(evidence.consequent, evidence.score) for evidence in found]

    def popularity(self, item: Sku) -> float:
        return self._affinity.popularity(item)


def _history(
    orders: Sequence[PastOrder], situation: Situation
) -> tuple[dict[Sku, Bought], dict[Sku, datetime]]:
    """Catalogue products in orders up to now: the rule's history, and each one's last order."""
    now, products = situation.now, situation.catalog.products
    past = [order for order in orders if order.at <= now]
    last: dict[Sku, datetime] = {}
    for order in sorted(past, key=lambda order: order.at):
        last.update(dict.fromkeys((sku for sku in order.skus if sku in products), order.at))
    aged = [
        ((now - order.at).total_seconds() / _DAY, [sku for sku in order.skus if sku in last])
        for order in past
    ]
    return history(aged), last


def _own_offer(
    kind: OfferKind, product: Product, score: float, repeat: RepeatPurchase | None = None
) -> Candidate:
    """A candidate offered for itself (not for a cart item): a repurchase or a best-seller."""
    return Candidate(
        kind=kind,
        sku=product.sku,
        for_sku=None,
        name=product.name,
        price=product.price,
        increase=product.price,
        relevance=score,
        product=product,
        repeat=repeat,
    )


def buy_again(
    situation: Situation, affinity: AffinitySource, orders: Sequence[PastOrder]
) -> list[Candidate]:
    """The best `max_candidates`: items bought before, their complements, then best-sellers."""
    bought, last = _history(orders, situation)
    cap = situation.policy.max_candidates
    prior = _ModelPrior(affinity, situation.policy.cross_sells_per_item)
    staples = list(affinity.best_sellers(cap))
    scored = scores(bought, prior, staples)
    evidence, _ = strongest(prior.proposed, bought, situation.policy)
    products = situation.catalog.products
    found: list[Candidate] = []
    for sku in ranked(scored):
        if len(found) >= cap:
            break
        if sku in bought:  # an owned-once item is dropped by the not_owned guardrail
            product = products.get(sku)
            if product is not None:
                repeat = RepeatPurchase(bought[sku].orders, last[sku])
                found.append(_own_offer(OfferKind.REPURCHASE, product, scored[sku], repeat))
        elif sku in evidence:
            complement = cross_sold_product(products, evidence[sku])
            if complement is not None:
                found.append(cross_sell_candidate(complement, evidence[sku], scored[sku]))
        elif sku in staples and (product := products.get(sku)) is not None:
            found.append(_own_offer(OfferKind.BEST_SELLER, product, scored[sku]))
    return found
