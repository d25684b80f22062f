"""Candidate offers: cross-sells from the model, upsells from ladders, bundles, downsells."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from tactful.domain.catalog import Bundle, Product, Sku
from tactful.domain.money import Money
from tactful.domain.offers.evidence import AffinitySource, Evidence, RepeatPurchase
from tactful.domain.offers.inputs import DeclinedUpsell
from tactful.domain.offers.moments import OfferKind, uses_owned_plans, uses_recent_purchases
from tactful.domain.offers.policy import OfferPolicy
from tactful.domain.offers.situation import Situation


@dataclass(frozen=True, slots=True)
class Candidate:
    """Something that could be offered, before the guardrails judge it."""

    kind: OfferKind
    sku: Sku
    for_sku: Sku | None
    name: str
    price: Money
    increase: Money
    relevance: float = 0.0
    evidence: Evidence | None = None
    product: Product | None = None
    bundle: Bundle | None = None
    term_switch: bool = False
    repeat: RepeatPurchase | None = None
    """A repurchase's orders and last order (its evidence, where a cross-sell has co-buys)."""

    @property
    def key(self) -> str:
        """Identity of the offer across decisions: kind, offered SKU and what it is for."""
        return f"{self.kind}:{self.sku}:{self.for_sku or ''}"


def _minus(price: Money, base: Money) -> Money:
    """price - base, or price when the currencies differ (the currency guardrail drops those)."""
    return price - base if price.currency == base.currency else price


def cross_sell_anchors(situation: Situation) -> list[Sku]:
    """Cart items, the viewed item, and recent purchases where the moment looks back."""
    anchors = list(situation.cart)
    if situation.viewing is not None:
        anchors.append(situation.viewing)
    if uses_recent_purchases(situation.moment):
        anchors.extend(situation.recent)
    products = situation.catalog.products
    return [sku for sku in dict.fromkeys(anchors) if sku in products]


def strongest(
    proposed: Iterable[Sequence[Evidence]], anchors: Iterable[Sku], policy: OfferPolicy
) -> tuple[dict[Sku, Evidence], dict[Sku, float]]:
    """Each consequent's best evidence (clearing the floor wins ties), and the summed score of
    the consequents proposed more than once (the others' score is their evidence's).

    `proposed` is each anchor's evidence; a rule X -> y counts only when all of X is among
    the `anchors`.
    """
    anchor_set = set(anchors)
    floor, min_lift = policy.min_co_purchases, policy.min_lift
    best: dict[Sku, Evidence] = {}
    summed: dict[Sku, float] = {}
    for anchor_evidence in proposed:
        for evidence in anchor_evidence:
            if len(evidence.antecedent) > 1 and not anchor_set.issuperset(evidence.antecedent):
                continue
            consequent = evidence.consequent
            held = best.get(consequent)
            if held is None:
                best[consequent] = evidence
                continue
            # The first repeat starts the sum from the first evidence, which is still held.
            summed[consequent] = summed.get(consequent, held.score) + evidence.score
            clears = evidence.count >= floor and evidence.lift > min_lift
            held_clears = held.count >= floor and held.lift > min_lift
            if (clears, evidence.score) > (held_clears, held.score):
                best[consequent] = evidence
    return best, summed


def _ranked(score: dict[Sku, float]) -> list[Sku]:
    """Highest summed score first, then by SKU (two stable sorts, so a NaN score stays put)."""
    return sorted(sorted(score), key=score.__getitem__, reverse=True)


def _top(ranked: list[Sku], situation: Situation) -> list[Sku]:
    """The best `max_candidates` not in the cart; cart items ranked among them stay traced."""
    cap, cart = situation.policy.max_candidates, situation.cart
    if len(ranked) <= cap:
        return ranked
    top: list[Sku] = []
    fresh = 0
    for position, sku in enumerate(ranked):
        if fresh >= cap:
            break
        if sku not in cart:
            fresh += 1
            top.append(sku)
        elif position < cap:
            top.append(sku)
    return top


def cross_sells(situation: Situation, affinity: AffinitySource) -> list[Candidate]:
    """One candidate per consequent, scored by the sum over anchors, with its best evidence."""
    anchors = cross_sell_anchors(situation)
    limit = situation.policy.cross_sells_per_item
    proposed = [affinity.cross_sells(anchor, limit) for anchor in anchors]
    best, summed = strongest(proposed, anchors, situation.policy)
    score = {sku: evidence.score for sku, evidence in best.items()} | summed
    products = situation.catalog.products

    def alone(evidence: Evidence) -> Candidate | None:
        return _cross_sell(products, evidence, evidence.score)

    found = []
    for sku in _top(_ranked(score), situation):
        if sku in summed:
            candidate = _cross_sell(products, best[sku], summed[sku])
        else:
            candidate = situation.catalog.cross_sells.get(best[sku], alone)
        if candidate is not None:
            found.append(candidate)
    return found


def _cross_sell(
    products: Mapping[Sku, Product], evidence: Evidence, relevance: float
) -> Candidate | None:
    """The cross-sell `evidence` proposes, or None when its SKU is not in the catalogue."""
    product = cross_sold_product(products, evidence)
    if product is None:
        return None
    return cross_sell_candidate(product, evidence, relevance)


def cross_sold_product(products: Mapping[Sku, Product], evidence: Evidence) -> Product | None:
    """The catalogue product `evidence` proposes (its consequent), or None when it is not sold."""
    return products.get(evidence.consequent)


def cross_sell_candidate(product: Product, evidence: Evidence, relevance: float) -> Candidate:
    """The cross-sell of `product`, for the first item of what `evidence` saw it bought with."""
    return Candidate(
        kind=OfferKind.CROSS_SELL,
        sku=product.sku,
        for_sku=evidence.antecedent[0],
        name=product.name,
        price=product.price,
        increase=product.price,
        relevance=relevance,
        evidence=evidence,
        product=product,
    )


def _upgrade_bases(situation: Situation) -> list[Sku]:
    bases = list(situation.cart)
    if situation.viewing is not None:
        bases.append(situation.viewing)
    if uses_owned_plans(situation.moment) and situation.catalog.owned_plans:
        # Only owned items on a ladder can be upgraded: the others would add no candidate.
        bases.extend(sorted(situation.owned & situation.catalog.owned_plans))
    return list(dict.fromkeys(bases))


def _upsell(situation: Situation, base: Product, upgrade: Product, term_switch: bool) -> Candidate:
    quantity = situation.quantity(base.sku)
    return Candidate(
        kind=OfferKind.UPSELL,
        sku=upgrade.sku,
        for_sku=base.sku,
        name=upgrade.name,
        price=upgrade.price,
        increase=_minus(upgrade.price, base.price).times(quantity),
        product=upgrade,
        term_switch=term_switch,
    )


def upsells(situation: Situation) -> list[Candidate]:
    """Next rungs of each base item'situation ladder, and the longer-term version of a plan."""
    out: list[Candidate] = []
    if not situation.catalog.ladders:
        return out  # no product is on a ladder: nothing can be upgraded
    for sku in _upgrade_bases(situation):
        base = situation.catalog.get(sku)
        if base is None:
            continue
        for upgrade in situation.catalog.upgrades(sku)[: situation.policy.upgrades_per_item]:
            out.append(_upsell(situation, base, upgrade, term_switch=False))
        longer = situation.catalog.longer_term(sku)
        if longer is not None:
            out.append(_upsell(situation, base, longer, term_switch=True))
    return out


def _replaced_value(situation: Situation, bundle: Bundle, currency: str) -> Money:
    total = 0
    for sku in bundle.skus:
        product = situation.catalog.get(sku)
        if sku in situation.cart and product is not None and product.price.currency == currency:
            total += product.price.amount
    return Money(total, currency)


def bundles(situation: Situation) -> list[Candidate]:
    """Bundles holding a cart (or viewed) item; the bundle replaces the items it contains."""
    out: list[Candidate] = []
    if not situation.catalog.bundles_by_sku:
        return out
    seen: set[str] = set()
    anchors: Iterable[Sku] = [*situation.cart, *([situation.viewing] if situation.viewing else [])]
    for sku in anchors:
        for bundle in situation.catalog.bundles_with(sku):
            if bundle.bundle_id in seen:
                continue
            seen.add(bundle.bundle_id)
            replaced = _replaced_value(situation, bundle, bundle.price.currency)
            out.append(
                Candidate(
                    kind=OfferKind.BUNDLE,
                    sku=Sku(bundle.bundle_id),
                    for_sku=sku,
                    name=bundle.name,
                    price=bundle.price,
                    increase=bundle.price - replaced,
                    bundle=bundle,
                )
            )
    return out


def downsells(situation: Situation, declined: DeclinedUpsell | None) -> list[Candidate]:
    """After a declined upsell: cheaper rungs between the base item and the declined one."""
    if declined is None:
        return []
    base = situation.catalog.get(declined.for_sku) if declined.for_sku else None
    out = []
    for product in situation.catalog.rungs_between(declined.for_sku, declined.sku):
        if base is not None and product.sku == base.sku:
            continue
        increase = _minus(product.price, base.price) if base is not None else product.price
        out.append(
            Candidate(
                kind=OfferKind.DOWNSELL,
                sku=product.sku,
                for_sku=declined.for_sku,
                name=product.name,
                price=product.price,
                increase=increase.times(situation.quantity(declined.for_sku)),
                product=product,
            )
        )
    return out[: situation.policy.upgrades_per_item]


def candidates(
    situation: Situation, affinity: AffinitySource, declined: DeclinedUpsell | None
) -> list[Candidate]:
    """Every candidate for the moment, cross-sells first."""
    return [
        *cross_sells(situation, affinity),
        *upsells(situation),
        *bundles(situation),
        *downsells(situation, declined),
    ]
