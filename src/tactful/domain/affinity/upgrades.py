"""Upgrade steps: the catalogue's tier ladders, weighed by customers who climbed them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tactful.domain.affinity.baskets import Baskets
from tactful.domain.catalog import Product, upgrade_path


@dataclass(frozen=True, slots=True)
class UpgradeStep:
    """One rung up a ladder; `customers` bought `from_sku` and later `to_sku`."""

    ladder: str
    from_sku: str
    to_sku: str
    from_rank: int
    to_rank: int
    customers: int


def upgrade_steps(products: Iterable[Product], baskets: Baskets) -> tuple[UpgradeStep, ...]:
    """Each tiered product to the products of the next rank up, with history counts."""
    catalogue = list(products)
    links: list[tuple[Product, Product]] = []
    for product in catalogue:
        if product.tier is None:
            continue
        higher = upgrade_path(catalogue, product.sku)
        if higher and higher[0].tier is not None:
            next_rank = higher[0].tier.rank
            links += [(product, h) for h in higher if h.tier and h.tier.rank == next_rank]
    climbed = _climbers(baskets, [(a.sku, b.sku) for a, b in links])
    return tuple(
        UpgradeStep(
            ladder=a.tier.ladder if a.tier else "",
            from_sku=a.sku,
            to_sku=b.sku,
            from_rank=a.tier.rank if a.tier else 0,
            to_rank=b.tier.rank if b.tier else 0,
            customers=int(n),
        )
        for (a, b), n in zip(links, climbed, strict=True)
    )


def _climbers(baskets: Baskets, links: list[tuple[str, str]]) -> npt.NDArray[np.int64]:
    """Per link, customers whose first purchase of the lower SKU precedes one of the higher."""
    if not links or baskets.customers is None or baskets.times is None:
        return np.zeros(len(links), dtype=np.int64)
    skus = sorted({sku for link in links for sku in link})
    column = {sku: i for i, sku in enumerate(skus)}
    tier_column = np.full(len(baskets.items), -1, dtype=np.int64)
    for i, label in enumerate(baskets.items):
        tier_column[i] = column.get(label, -1)
    owner = np.repeat(np.arange(baskets.n_baskets), baskets.sizes)
    entry_column = tier_column[baskets.indices]
    seen = (entry_column >= 0) & (baskets.customers[owner] >= 0)
    owner, entry_column = owner[seen], entry_column[seen]
    seconds = baskets.times.astype("datetime64[s]").astype(np.int64)[owner]
    _, customer = np.unique(baskets.customers[owner], return_inverse=True)
    n_customers = int(customer.max()) + 1 if customer.size else 0
    first = np.full((n_customers, len(skus)), np.iinfo(np.int64).max, dtype=np.int64)
    last = np.full((n_customers, len(skus)), np.iinfo(np.int64).min, dtype=np.int64)
    np.minimum.at(first, (customer, entry_column), seconds)
    np.maximum.at(last, (customer, entry_column), seconds)
    lower = np.array([column[a] for a, _ in links])
    upper = np.array([column[b] for _, b in links])
    return np.asarray((first[:, lower] < last[:, upper]).sum(axis=0), dtype=np.int64)
