"""The catalogue indexed for decisions: products, ladders, term switches, bundles, prices."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tactful.domain.catalog import Bundle, PricePoint, Product, ProductKind, Sku, upgrade_path
from tactful.domain.offers.evidence import Evidence

if TYPE_CHECKING:  # candidates.py reads the catalogue, so only its type is named here
    from tactful.domain.offers.candidates import Candidate


class CrossSellCache:
    """The cross-sell candidate each model evidence proposes on its own, for one catalogue.

    Such a candidate is the same in every decision (the evidence and the product fix every
    field), and building it was the largest cost of collecting candidates, so it is built
    once. Emptied when it holds LIMIT candidates, so the evidence of models that come and go
    does not pile up. tests/domain/offers/test_candidates.py holds decisions equal with it
    and without it.
    """

    LIMIT = 100_000

    def __init__(self) -> None:
        # By id() of the evidence, beside the evidence itself: an id is not reused while its
        # object lives, and hashing an evidence's nine fields would cost more than the build.
        self._by_evidence: dict[int, tuple[Evidence, Candidate | None]] = {}

    def get(
        self, evidence: Evidence, build: Callable[[Evidence], Candidate | None]
    ) -> Candidate | None:
        """`build(evidence)`, built the first time and then kept."""
        kept = self._by_evidence.get(id(evidence))
        if kept is not None and kept[0] is evidence:
            return kept[1]
        candidate = build(evidence)
        if len(self._by_evidence) >= self.LIMIT:
            self._by_evidence.clear()
        self._by_evidence[id(evidence)] = (evidence, candidate)
        return candidate


@dataclass(frozen=True, eq=False)
class OfferCatalog:
    """Built once per catalogue version and shared by decisions; lookups are dictionary reads."""

    products: Mapping[Sku, Product]
    price_history: Mapping[Sku, tuple[PricePoint, ...]]
    bundles_by_sku: Mapping[Sku, tuple[Bundle, ...]]
    ladders: Mapping[str, tuple[Product, ...]]
    owned_plans: frozenset[Sku] = field(init=False, repr=False)
    rebuyable: frozenset[Sku] = field(init=False, repr=False)
    cross_sells: CrossSellCache = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Owned-once products on a ladder: the only owned items an upgrade can start from.
        plans = frozenset(
            sku
            for sku, product in self.products.items()
            if product.tier is not None and product.kind.is_owned_once
        )
        object.__setattr__(self, "owned_plans", plans)
        rebuyable = frozenset(
            sku for sku, product in self.products.items() if not product.kind.is_owned_once
        )
        object.__setattr__(self, "rebuyable", rebuyable)
        object.__setattr__(self, "cross_sells", CrossSellCache())

    @classmethod
    def build(
        cls,
        products: Iterable[Product],
        price_history: Iterable[PricePoint] = (),
        bundles: Iterable[Bundle] = (),
    ) -> OfferCatalog:
        """Index products by SKU, tier ladder and bundle membership."""
        by_sku = {p.sku: p for p in products}
        history: dict[Sku, list[PricePoint]] = {}
        for point in price_history:
            history.setdefault(point.sku, []).append(point)
        by_member: dict[Sku, list[Bundle]] = {}
        for bundle in bundles:
            for sku in sorted(bundle.skus):
                by_member.setdefault(sku, []).append(bundle)
        ladders: dict[str, list[Product]] = {}
        for product in by_sku.values():
            if product.tier is not None:
                ladders.setdefault(product.tier.ladder, []).append(product)
        return cls(
            products=by_sku,
            price_history={sku: tuple(points) for sku, points in history.items()},
            bundles_by_sku={sku: tuple(items) for sku, items in by_member.items()},
            ladders={name: tuple(items) for name, items in ladders.items()},
        )

    def get(self, sku: Sku) -> Product | None:
        """The product, or None when the SKU is unknown."""
        return self.products.get(sku)

    def history(self, sku: Sku) -> Sequence[PricePoint]:
        """The product's price history (empty when none is recorded)."""
        return self.price_history.get(sku, ())

    def bundles_with(self, sku: Sku) -> tuple[Bundle, ...]:
        """Bundles that contain `sku`."""
        return self.bundles_by_sku.get(sku, ())

    def upgrades(self, sku: Sku) -> list[Product]:
        """Higher rungs of the product's tier ladder, nearest first."""
        product = self.products.get(sku)
        if product is None or product.tier is None:
            return []
        return upgrade_path(self.ladders.get(product.tier.ladder, ()), sku)

    def rungs_between(self, low: Sku | None, high: Sku) -> list[Product]:
        """Active rungs below `high` (and above `low` when given), nearest to `high` first."""
        top = self.products.get(high)
        if top is None or top.tier is None:
            return []
        bottom = self.products.get(low) if low is not None else None
        floor = bottom.tier.rank if bottom is not None and bottom.tier is not None else None
        rungs = [
            p
            for p in self.ladders.get(top.tier.ladder, ())
            if p.active
            and p.tier is not None
            and p.tier.rank < top.tier.rank
            and (floor is None or p.tier.rank > floor)
            and p.price.amount < top.price.amount
        ]
        return sorted(rungs, key=lambda p: (-(p.tier.rank if p.tier else 0), p.price.amount))

    def longer_term(self, sku: Sku) -> Product | None:
        """The same plan billed over a longer term (e.g. annual for monthly).

        A subscription on the same ladder and rank is the same plan; with billing periods on
        both, the other must be billed over a longer period; without them, a higher price is
        read as a longer term.
        """
        base = self.products.get(sku)
        if base is None or base.tier is None or base.kind is not ProductKind.SUBSCRIPTION:
            return None
        tier = base.tier
        longer = [
            p
            for p in self.ladders.get(tier.ladder, ())
            if p.sku != sku
            and p.active
            and p.kind is ProductKind.SUBSCRIPTION
            and p.tier == tier
            and _longer(base, p)
        ]
        return min(longer, key=lambda p: (p.price.amount, p.sku), default=None)


def _longer(base: Product, other: Product) -> bool:
    """`other` is `base`'s plan on a longer term: a longer billing period when both say,
    else a higher price."""
    if base.billing_period is not None and other.billing_period is not None:
        return other.billing_period.months > base.billing_period.months
    return other.price.amount > base.price.amount
