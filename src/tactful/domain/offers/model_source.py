"""A mined affinity model seen as an AffinitySource: neighbours with their real counts."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

import numpy as np

from tactful.domain.affinity.model import AffinityModel
from tactful.domain.catalog import Sku
from tactful.domain.offers.evidence import Evidence


class MinedModel(Protocol):
    """What the adapter reads from a model (tactful.domain.affinity.AffinityModel has it)."""

    def item_count(self, sku: str) -> float: ...

    def neighbours(self, sku: str) -> list[tuple[str, float, float]]: ...


RankRow = Callable[[str], Mapping[str, float]]
BEST_SELLERS_KEPT = 100
"""How many of the most ordered items an adapter keeps for `best_sellers`."""


class ModelAffinity:
    """Cross-sells of X are X's most similar items, with their real pair and item counts.

    Candidates are X's top cosine neighbours; when the model carries the ranking weights
    `tactful evaluate` measures (`rank_row(x)` gives x's weight for each add-on), those order
    them, so what is served is what was measured. Evidence is built lazily per SKU and kept
    for the adapter's life (one model version).
    """

    def __init__(
        self,
        model: MinedModel,
        n_baskets: float,
        rank_row: RankRow | None = None,
        top_count: float = 0.0,
        best_sellers: Sequence[Sku] = (),
    ) -> None:
        self._model = model
        self._n = float(n_baskets)
        self._top = float(top_count)
        self._best_sellers = tuple(best_sellers)
        self._rank_row = rank_row
        self._evidence_by_sku: dict[Sku, tuple[Evidence, ...]] = {}

    @classmethod
    def from_model(cls, model: AffinityModel, rank_row: RankRow | None = None) -> ModelAffinity:
        """Adapt a model mined by tactful.domain.affinity.mine."""
        counts = getattr(model, "item_counts", None)  # a stand-in model may have none
        if counts is None or not counts.size:
            return cls(model, float(model.itemsets.n_baskets), rank_row)
        most = np.argsort(-counts, kind="stable")[:BEST_SELLERS_KEPT]
        best = [Sku(model.items[i]) for i in most.tolist() if counts[i] > 0]
        return cls(model, float(model.itemsets.n_baskets), rank_row, float(counts.max()), best)

    def cross_sells(self, sku: Sku, limit: int) -> Sequence[Evidence]:
        """Best neighbours first, at most `limit`."""
        every = self._evidence_by_sku.get(sku)
        if every is None:
            every = self._evidence_by_sku[sku] = self._evidence(sku)
        return every[: max(limit, 0)]

    def popularity(self, sku: Sku) -> float:
        """Orders holding `sku` over the most bought item's (0 without the top count)."""
        if self._top <= 0:
            return 0.0
        return min(self._model.item_count(sku) / self._top, 1.0)

    def best_sellers(self, limit: int) -> Sequence[Sku]:
        """The model's most ordered items (of the first BEST_SELLERS_KEPT), most first."""
        return self._best_sellers[: max(limit, 0)]

    def _evidence(self, sku: Sku) -> tuple[Evidence, ...]:
        model, total = self._model, self._n
        buyers = model.item_count(sku)
        if buyers <= 0 or total <= 0:
            return ()
        ranked = self._rank_row(sku) if self._rank_row is not None else None
        out = []
        for other, cosine, together in model.neighbours(sku):
            confidence = together / buyers
            base_rate = model.item_count(other) / total
            out.append(
                Evidence(
                    antecedent=(sku,),
                    consequent=Sku(other),
                    count=int(together),
                    antecedent_count=max(int(buyers), int(together)),
                    support=together / total,
                    confidence=confidence,
                    lift=confidence / base_rate if base_rate > 0 else 0.0,
                    score=cosine if ranked is None else ranked.get(other, 0.0),
                )
            )
        return tuple(sorted(out, key=lambda e: (-e.score, e.consequent)))
