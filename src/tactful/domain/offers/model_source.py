"""A mined affinity model seen as an AffinitySource: neighbours with their real counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from tactful.domain.affinity.model import AffinityModel
from tactful.domain.catalog import Sku
from tactful.domain.offers.evidence import Evidence


class MinedModel(Protocol):
    """What the adapter reads from a model (tactful.domain.affinity.AffinityModel has it)."""

    def item_count(self, sku: str) -> float: ...

    def neighbours(self, sku: str) -> list[tuple[str, float, float]]: ...


class ModelAffinity:
    """Cross-sells of X are X's most similar items (cosine), with pair and item counts.

    Evidence is built lazily per SKU and kept for the adapter's life (one model version).
    """

    def __init__(self, model: MinedModel, n_baskets: float) -> None:
        self._model = model
        self._n = float(n_baskets)
        self._cache: dict[Sku, tuple[Evidence, ...]] = {}

    @classmethod
    def from_model(cls, model: AffinityModel) -> ModelAffinity:
        """Adapt a model mined by tactful.domain.affinity.mine."""
        return cls(model, float(model.itemsets.n_baskets))

    def cross_sells(self, sku: Sku, limit: int) -> Sequence[Evidence]:
        """Best neighbours first, at most `limit`."""
        found = self._cache.get(sku)
        if found is None:
            found = self._cache[sku] = self._evidence(sku)
        return found[: max(limit, 0)]

    def _evidence(self, sku: Sku) -> tuple[Evidence, ...]:
        model, total = self._model, self._n
        buyers = model.item_count(sku)
        if buyers <= 0 or total <= 0:
            return ()
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
                    score=cosine,
                )
            )
        return tuple(sorted(out, key=lambda e: (-e.score, e.consequent)))
