"""What the offer engine needs from a mined model: evidence that Y goes with X."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from tactful.domain.catalog import Sku


@dataclass(frozen=True, slots=True)
class Evidence:
    """Real counts behind 'customers who bought X also bought Y'.

    `count` buyers bought X and Y, `antecedent_count` bought X; `score` ranks candidates
    (e.g. cosine similarity), the other figures are the association rule's measures.
    `unit` says what was counted: "orders" (basket-level mining) or "customers" (customer
    level), so the copy never calls an order count a customer count.
    """

    antecedent: tuple[Sku, ...]
    consequent: Sku
    count: int
    antecedent_count: int
    support: float
    confidence: float
    lift: float
    score: float
    unit: str = "orders"

    def __post_init__(self) -> None:
        if not self.antecedent:
            raise ValueError("evidence needs at least one antecedent SKU")
        if self.count < 0 or self.antecedent_count < self.count:
            raise ValueError(
                f"evidence counts for {self.consequent} are inconsistent: "
                f"count={self.count}, antecedent_count={self.antecedent_count}"
            )


@dataclass(frozen=True, slots=True)
class RepeatPurchase:
    """Behind a repurchase offer: how many of the customer's orders held the item, the last
    one when."""

    orders: int
    last_at: datetime


class AffinitySource(Protocol):
    """A mined model seen from the offer engine: best cross-sells first."""

    def cross_sells(self, sku: Sku, limit: int) -> Sequence[Evidence]:
        """Evidence whose antecedent contains `sku`, best score first, at most `limit`."""
        ...

    def popularity(self, sku: Sku) -> float:
        """The item's orders over the most popular item's, 0..1 (0 when unknown)."""
        ...

    def best_sellers(self, limit: int) -> Sequence[Sku]:
        """The items in the most orders, most first, at most `limit`."""
        ...


class InMemoryAffinity:
    """An AffinitySource over a list of evidence, for tests, demos and adapters."""

    def __init__(
        self, evidence: Iterable[Evidence], popularity: Mapping[Sku, float] | None = None
    ) -> None:
        self._popularity = dict(popularity or {})
        index: dict[Sku, list[Evidence]] = {}
        for item in evidence:
            for sku in set(item.antecedent):
                index.setdefault(sku, []).append(item)
        for items in index.values():
            items.sort(key=lambda e: (-e.score, -e.confidence, e.consequent))
        self._index: Mapping[Sku, tuple[Evidence, ...]] = {
            sku: tuple(items) for sku, items in index.items()
        }

    def cross_sells(self, sku: Sku, limit: int) -> Sequence[Evidence]:
        """The stored evidence for `sku`, best first."""
        return self._index.get(sku, ())[: max(limit, 0)]

    def popularity(self, sku: Sku) -> float:
        """The share given for `sku`, 0 when none was."""
        return self._popularity.get(sku, 0.0)

    def best_sellers(self, limit: int) -> Sequence[Sku]:
        """The SKUs with the largest shares given (above 0), then by SKU."""
        popular = [sku for sku, share in self._popularity.items() if share > 0]
        return sorted(popular, key=lambda sku: (-self._popularity[sku], sku))[: max(limit, 0)]


EMPTY_AFFINITY = InMemoryAffinity(())
