"""The mined AffinityModel seen as an AffinitySource: neighbours with their real counts."""

from __future__ import annotations

from collections.abc import Sequence

from tactful.domain.affinity.model import AffinityModel
from tactful.domain.catalog import Sku
from tactful.domain.offers.evidence import Evidence


class ModelAffinity:
    """Cross-sells of X are X's most similar items (cosine), with pair and item counts."""

    def __init__(self, model: AffinityModel) -> None:
        self._model = model
        self._total = float(model.summary.total_weight) or 1.0
        self._cache: dict[Sku, tuple[Evidence, ...]] = {}

    def cross_sells(self, sku: Sku, limit: int) -> Sequence[Evidence]:
        """Best neighbours first, at most `limit`."""
        found = self._cache.get(sku)
        if found is None:
            found = self._cache[sku] = self._evidence(sku)
        return found[: max(limit, 0)]

    def _evidence(self, sku: Sku) -> tuple[Evidence, ...]:
        model, total = self._model, self._total
        buyers = model.item_count(sku)
        if buyers <= 0:
            return ()
        out = []
        for other, cosine, together in model.neighbours(sku):
            other_buyers = model.item_count(other)
            confidence = together / buyers
            lift = confidence / (other_buyers / total) if other_buyers > 0 else 0.0
            out.append(
                Evidence(
                    antecedent=(sku,),
                    consequent=Sku(other),
                    count=int(together),
                    antecedent_count=max(int(buyers), int(together)),
                    support=together / total,
                    confidence=confidence,
                    lift=lift,
                    score=cosine,
                )
            )
        return tuple(out)
