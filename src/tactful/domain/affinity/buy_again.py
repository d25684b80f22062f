"""Buy again: one customer's email ranking, the rule both the engine and the evaluation use.

score(item) = orders(item)
            + RECENCY_WEIGHT x recency(item) / the customer's highest recency
            + PRIOR_WEIGHT x (NEIGHBOUR_SHARE x neighbours(item) / the highest neighbours
                              + (1 - NEIGHBOUR_SHARE) x popularity(item))
- orders: how many of the customer's orders held the item;
- recency: those orders weighted by a year's half-life (0.5 ** (age in days / 365));
- neighbours: over the items j the customer bought, recency(j) / highest x similarity(j, item);
- popularity: the item's orders over the most popular item's (0..1).
The extras add up to less than one order, so an item bought in more orders always ranks
higher; they order items bought equally often, and complements and staples fill the rest.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol, TypeVar

HALF_LIFE_DAYS = 365.0
PRIOR_WEIGHT = 0.5
RECENCY_WEIGHT = 0.45
NEIGHBOUR_SHARE = 0.2
TIE = 1e-9
"""A popularity tie-break far below any other term."""

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Bought:
    """One item of a customer's history: how many orders held it, and their recency weight."""

    orders: int
    recency: float


class Prior(Protocol[K]):
    """What everyone's orders say: items similar to one, and how popular an item is."""

    def similar(self, item: K) -> Iterable[tuple[K, float]]:
        """Other items with their similarity to `item` (>= 0)."""
        ...

    def popularity(self, item: K) -> float:
        """The item's orders over the most popular item's, 0..1 (0 when unknown)."""
        ...


def recency_weight(age_days: float) -> float:
    """An order's weight: 1 today, a half after a year."""
    return float(0.5 ** (max(age_days, 0.0) / HALF_LIFE_DAYS))


def history(orders: Iterable[tuple[float, Iterable[K]]]) -> dict[K, Bought]:
    """Each item of (age in days, items) orders: how many orders held it, their recency."""
    counts: dict[K, int] = {}
    recency: dict[K, float] = {}
    for age_days, items in orders:
        weight = recency_weight(age_days)
        for item in dict.fromkeys(items):
            counts[item] = counts.get(item, 0) + 1
            recency[item] = recency.get(item, 0.0) + weight
    return {item: Bought(counts[item], recency[item]) for item in counts}


def _neighbours(scaled: Mapping[K, float], prior: Prior[K]) -> dict[K, float]:
    """Similarity to what the customer bought, each bought item weighted by its recency."""
    near: dict[K, float] = {}
    for item, weight in scaled.items():
        if weight <= 0.0:
            continue
        for other, similarity in prior.similar(item):
            near[other] = near.get(other, 0.0) + weight * similarity
    return near


def _share(value: float, peak: float) -> float:
    """value / peak in 0..1, 0 when the peak is 0 (a division: a reciprocal of a tiny peak
    would overflow to infinity)."""
    return value / peak if peak > 0 else 0.0


def scores(
    bought: Mapping[K, Bought], prior: Prior[K], staples: Iterable[K] = ()
) -> dict[K, float]:
    """The score of every item the customer bought, their neighbours and the `staples`.

    An item with no order, no neighbour weight and no popularity gets no score. Any item
    left out scores at most what a more popular staple does, so passing the k most popular
    items as `staples` keeps the top k exact.
    """
    top_recency = max((b.recency for b in bought.values()), default=0.0)
    scaled = {item: _share(b.recency, top_recency) for item, b in bought.items()}
    near = _neighbours(scaled, prior)
    top_near = max(near.values(), default=0.0)
    found: dict[K, float] = {}
    for item in dict.fromkeys([*bought, *near, *staples]):
        own = bought.get(item)
        closeness = near.get(item, 0.0)
        popularity = prior.popularity(item)
        if own is None and closeness <= 0.0 and popularity <= 0.0:
            continue
        extra = NEIGHBOUR_SHARE * _share(closeness, top_near) + (1.0 - NEIGHBOUR_SHARE) * popularity
        found[item] = (
            (own.orders if own is not None else 0)
            + RECENCY_WEIGHT * scaled.get(item, 0.0)
            + PRIOR_WEIGHT * extra
            + TIE * popularity
        )
    return found


def ranked(scored: Mapping[K, float]) -> list[K]:
    """Highest score first; equal scores keep the order they were scored in."""
    return sorted(scored, key=scored.__getitem__, reverse=True)
