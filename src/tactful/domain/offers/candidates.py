"""Candidate offers: cross-sells from the model, upsells from ladders, bundles, downsells."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from operator import itemgetter

from tactful.domain.catalog import Bundle, Product, Sku
from tactful.domain.frozen import builder
from tactful.domain.money import Money
from tactful.domain.offers.evidence import AffinitySource, Evidence
from tactful.domain.offers.inputs import DeclinedUpsell
from tactful.domain.offers.memo import Generation, Proposal, Reused, Row, Shared
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

    @property
    def key(self) -> str:
        """Identity of the offer across decisions: kind, offered SKU and what it is for."""
        return f"{self.kind}:{self.sku}:{self.for_sku or ''}"


_candidate = builder(Candidate)


def _minus(a: Money, b: Money) -> Money:
    """a - b, or a when the currencies differ (the currency guardrail drops those)."""
    return a - b if a.currency == b.currency else a


def cross_sell_anchors(s: Situation) -> list[Sku]:
    """Cart items, the viewed item, and recent purchases where the moment looks back."""
    anchors = list(s.cart)
    looks_back = uses_recent_purchases(s.moment)
    if s.viewing is None and not looks_back:
        # The cart's SKUs are distinct, and known when situate() read the cart.
        return anchors if s.cart.keys() <= s.catalog.products.keys() else _known(anchors, s)
    if s.viewing is not None:
        anchors.append(s.viewing)
    if looks_back:
        anchors.extend(s.recent)
    return _known(list(dict.fromkeys(anchors)), s)


def _known(skus: list[Sku], s: Situation) -> list[Sku]:
    products = s.catalog.products
    return [sku for sku in skus if sku in products]


def _strongest(
    proposed: Iterable[Sequence[Evidence]], anchors: list[Sku] | None, policy: OfferPolicy
) -> tuple[dict[Sku, float], dict[Sku, Evidence]]:
    """Summed score per consequent, and its best evidence (clearing the floor wins ties).

    `proposed` is each anchor's evidence; a rule X -> y counts only when all of X is among
    the `anchors` (None when every rule has one antecedent).
    """
    anchor_set = set(anchors) if anchors is not None else set()
    floor, min_lift = policy.min_co_purchases, policy.min_lift
    score: dict[Sku, float] = {}
    best: dict[Sku, Evidence] = {}
    for evidence in proposed:
        for ev in evidence:
            if (
                anchors is not None
                and len(ev.antecedent) > 1
                and not anchor_set.issuperset(ev.antecedent)
            ):
                continue
            y = ev.consequent
            held = best.get(y)
            if held is None:
                score[y], best[y] = ev.score, ev
                continue
            score[y] += ev.score
            ok = ev.count >= floor and ev.lift > min_lift
            held_ok = held.count >= floor and held.lift > min_lift
            if (ok, ev.score) > (held_ok, held.score):
                best[y] = ev
    return score, best


def _ranked(score: dict[Sku, float]) -> list[Sku]:
    """Highest summed score first, then by SKU (two C-level stable sorts, no key tuples)."""
    return sorted(sorted(score), key=score.__getitem__, reverse=True)


def _top(ranked: list[Sku], s: Situation) -> list[Sku]:
    """The best `max_candidates` not in the cart; cart items ranked among them stay traced."""
    cap, cart = s.policy.max_candidates, s.cart
    if len(ranked) <= cap:
        return ranked
    if cart.keys().isdisjoint(ranked):
        return ranked[:cap]
    top: list[Sku] = []
    fresh = 0
    for position, y in enumerate(ranked):
        if fresh >= cap:
            break
        if y not in cart:
            fresh += 1
            top.append(y)
        elif position < cap:
            top.append(y)
    return top


_SHARED = itemgetter(2)
_CANDIDATE = itemgetter(3)


def shared_cross_sells(s: Situation, affinity: AffinitySource) -> tuple[list[Candidate], Reused]:
    """cross_sells(), and which of them are shared with other decisions (see memo.Shared)."""
    anchors = cross_sell_anchors(s)
    generation = s.catalog.memo.current()
    limit = s.policy.cross_sells_per_item
    if not getattr(affinity, "single_antecedents", False):
        proposed = [affinity.cross_sells(anchor, limit) for anchor in anchors]
        return _pooled(s, proposed, anchors, generation)
    proposals = _proposals(anchors, affinity, limit, s, generation)
    ranked = _ranked_rows(proposals)
    if ranked is None:
        return _pooled(s, [proposal.evidence for proposal in proposals], None, generation)
    rows, consequents, complete = ranked
    top = _top_rows(rows, consequents, s)
    if not complete:  # some consequent is not in the catalogue
        top = [row for row in top if row[3] is not None]
    return list(map(_CANDIDATE, top)), Reused(generation, list(map(_SHARED, top)))


def _proposals(
    anchors: list[Sku], affinity: AffinitySource, limit: int, s: Situation, generation: Generation
) -> list[Proposal]:
    """Each anchor's evidence as kept in the generation (see memo.Proposal)."""
    cross_sells, kept = affinity.cross_sells, generation.proposals
    proposals = []
    for anchor in anchors:
        evidence = cross_sells(anchor, limit)
        proposal = kept.get(id(evidence))
        if proposal is None or proposal.evidence is not evidence:
            proposal = _proposal(evidence, s, generation)
        proposals.append(proposal)
    return proposals


def _ranked_rows(
    proposals: list[Proposal],
) -> tuple[Sequence[Row], AbstractSet[Sku], bool] | None:
    """The proposals' rows ranked as _ranked ranks consequents, their consequents, and
    whether all are in the catalogue (then each row has a candidate).

    With no NaN score, sorting rows by (-score, SKU) is _ranked's two stable sorts; None
    when a SKU's scores are summed over anchors (_pooled), or a NaN score needs the two
    stable sorts.
    """
    if len(proposals) == 1:
        _, rows, consequents, ordered, complete = proposals[0]
        return (rows, consequents, complete) if ordered else None
    ranked: list[Row] = []
    seen: set[Sku] = set()
    complete = True
    for _, rows, consequents, ordered, whole in proposals:
        if not ordered or not seen.isdisjoint(consequents):
            return None
        seen |= consequents
        ranked += rows
        complete = complete and whole
    ranked.sort()  # consequents are distinct, so no two rows tie
    return ranked, seen, complete


def _proposal(evidence: Sequence[Evidence], s: Situation, generation: Generation) -> Proposal:
    """What one anchor's evidence proposes, kept while the affinity source keeps `evidence`."""
    rows = []
    for ev in evidence:
        known = _shared(s, ev, generation)
        rows.append(
            (-ev.score, ev.consequent, known, known.candidate if known is not None else None)
        )
    consequents = frozenset(row[1] for row in rows)
    ordered = len(consequents) == len(rows) and all(row[0] == row[0] for row in rows)  # no NaN
    complete = all(row[2] is not None for row in rows)
    ranked = tuple(sorted(rows) if ordered else rows)
    proposal = Proposal(evidence, ranked, consequents, ordered, complete)
    return generation.proposals.setdefault(id(evidence), proposal)


def _top_rows(rows: Sequence[Row], consequents: AbstractSet[Sku], s: Situation) -> Sequence[Row]:
    """_top() of ranked rows."""
    cap = s.policy.max_candidates
    if len(rows) <= cap:
        return rows
    if s.cart.keys().isdisjoint(consequents):
        return rows[:cap]
    top = set(_top([row[1] for row in rows], s))
    return [row for row in rows if row[1] in top]


def _shared(s: Situation, ev: Evidence, generation: Generation) -> Shared | None:
    """The shared candidate of `ev` proposed alone, or None when its SKU is unknown."""
    known = generation.candidates.get(id(ev))
    if known is not None and known.evidence is ev:
        return known
    c = _cross_sell(s, ev, ev.score)
    if c is None:
        return None
    # setdefault: when two threads build it at once, both use the one kept, so no decision
    # holds a candidate the generation does not.
    return generation.candidates.setdefault(id(ev), Shared(c))


def _cross_sell(s: Situation, ev: Evidence, relevance: float) -> Candidate | None:
    product = s.catalog.products.get(ev.consequent)
    if product is None:
        return None
    return _candidate(
        kind=OfferKind.CROSS_SELL,
        sku=ev.consequent,
        for_sku=ev.antecedent[0],
        name=product.name,
        price=product.price,
        increase=product.price,
        relevance=relevance,
        evidence=ev,
        product=product,
        bundle=None,
        term_switch=False,
    )


def _pooled(
    s: Situation,
    proposed: list[Sequence[Evidence]],
    anchors: list[Sku] | None,
    generation: Generation,
) -> tuple[list[Candidate], Reused]:
    """shared_cross_sells() in general: consequents' scores summed over their anchors."""
    score, best = _strongest(proposed, anchors, s.policy)
    out: list[Candidate] = []
    shared: list[Shared | None] = []
    for y in _top(_ranked(score), s):
        ev, relevance = best[y], score[y]
        # Proposed by one anchor only, y's candidate is the same in every decision: share it.
        if relevance is ev.score:
            known = _shared(s, ev, generation)
            if known is not None:
                out.append(known.candidate)
                shared.append(known)
            continue
        c = _cross_sell(s, ev, relevance)
        if c is not None:
            out.append(c)
            shared.append(None)
    return out, Reused(generation, shared)


def cross_sells(s: Situation, affinity: AffinitySource) -> list[Candidate]:
    """One candidate per consequent, scored by the sum over anchors, with its best evidence."""
    return shared_cross_sells(s, affinity)[0]


def _upgrade_bases(s: Situation) -> list[Sku]:
    bases = list(s.cart)
    if s.viewing is not None:
        bases.append(s.viewing)
    if uses_owned_plans(s.moment) and s.catalog.owned_plans:
        # Only owned items on a ladder can be upgraded: the others would add no candidate.
        bases.extend(sorted(s.owned & s.catalog.owned_plans))
    return list(dict.fromkeys(bases))


def _upsell(s: Situation, base: Product, upgrade: Product, term_switch: bool) -> Candidate:
    quantity = s.quantity(base.sku)
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


def upsells(s: Situation) -> list[Candidate]:
    """Next rungs of each base item's ladder, and the longer-term version of a plan."""
    out: list[Candidate] = []
    if not s.catalog.ladders:
        return out  # no product is on a ladder: nothing can be upgraded
    for sku in _upgrade_bases(s):
        base = s.catalog.get(sku)
        if base is None:
            continue
        for upgrade in s.catalog.upgrades(sku)[: s.policy.upgrades_per_item]:
            out.append(_upsell(s, base, upgrade, term_switch=False))
        longer = s.catalog.longer_term(sku)
        if longer is not None:
            out.append(_upsell(s, base, longer, term_switch=True))
    return out


def _replaced_value(s: Situation, bundle: Bundle, currency: str) -> Money:
    total = 0
    for sku in bundle.skus:
        product = s.catalog.get(sku)
        if sku in s.cart and product is not None and product.price.currency == currency:
            total += product.price.amount
    return Money(total, currency)


def bundles(s: Situation) -> list[Candidate]:
    """Bundles holding a cart (or viewed) item; the bundle replaces the items it contains."""
    out: list[Candidate] = []
    if not s.catalog.bundles_by_sku:
        return out
    seen: set[str] = set()
    anchors: Iterable[Sku] = [*s.cart, *([s.viewing] if s.viewing else [])]
    for sku in anchors:
        for bundle in s.catalog.bundles_with(sku):
            if bundle.bundle_id in seen:
                continue
            seen.add(bundle.bundle_id)
            replaced = _replaced_value(s, bundle, bundle.price.currency)
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


def downsells(s: Situation, declined: DeclinedUpsell | None) -> list[Candidate]:
    """After a declined upsell: cheaper rungs between the base item and the declined one."""
    if declined is None:
        return []
    base = s.catalog.get(declined.for_sku) if declined.for_sku else None
    out = []
    for product in s.catalog.rungs_between(declined.for_sku, declined.sku):
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
                increase=increase.times(s.quantity(declined.for_sku)),
                product=product,
            )
        )
    return out[: s.policy.upgrades_per_item]


def shared_candidates(
    s: Situation, affinity: AffinitySource, declined: DeclinedUpsell | None
) -> tuple[list[Candidate], Reused]:
    """candidates(), and which of them are shared with other decisions."""
    pool, reused = shared_cross_sells(s, affinity)
    catalog = s.catalog
    if not catalog.ladders and not catalog.bundles_by_sku and declined is None:
        return pool, reused  # nothing but cross-sells can be proposed
    others = [*upsells(s), *bundles(s), *downsells(s, declined)]
    pool.extend(others)
    reused.shared.extend([None] * len(others))
    return pool, reused


def candidates(
    s: Situation, affinity: AffinitySource, declined: DeclinedUpsell | None
) -> list[Candidate]:
    """Every candidate for the moment, cross-sells first."""
    return shared_candidates(s, affinity, declined)[0]
