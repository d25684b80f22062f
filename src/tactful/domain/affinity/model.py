"""The mined model: rules, similarities and upgrade steps, with lookups the offer engine uses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

import numpy as np

from tactful.domain.affinity.config import MiningConfig
from tactful.domain.affinity.itemsets import FrequentItemsets
from tactful.domain.affinity.rules import Rule, RuleTable
from tactful.domain.affinity.similarity import Neighbours
from tactful.domain.affinity.upgrades import UpgradeStep


@dataclass(frozen=True)
class MiningSummary:
    """What a run saw and did, for the merchant and for reproducing it."""

    config: MiningConfig
    engine: str
    n_orders: int
    n_baskets: int
    n_items: int
    n_frequent_items: int
    n_itemsets: int
    n_rules: int
    baskets_capped: int
    total_weight: float
    window_start: datetime | None
    window_end: datetime | None
    timings: Mapping[str, float]


@dataclass(frozen=True, eq=False)
class AffinityModel:
    """Everything mined from one history; immutable so it can be swapped atomically."""

    items: tuple[str, ...]
    item_counts: np.ndarray
    itemsets: FrequentItemsets
    rules: RuleTable
    neighbour_table: Neighbours
    upgrades: tuple[UpgradeStep, ...]
    summary: MiningSummary

    @classmethod
    def assemble(
        cls,
        itemsets: FrequentItemsets,
        rules: RuleTable,
        neighbour_table: Neighbours,
        upgrades: tuple[UpgradeStep, ...],
        summary: MiningSummary,
    ) -> AffinityModel:
        """A model whose items and item counts are those of its itemsets (mined or reloaded)."""
        return cls(
            items=itemsets.items,
            item_counts=itemsets.item_counts,
            itemsets=itemsets,
            rules=rules,
            neighbour_table=neighbour_table,
            upgrades=upgrades,
            summary=summary,
        )

    @cached_property
    def _index(self) -> dict[str, int]:
        return {label: i for i, label in enumerate(self.items)}

    @cached_property
    def _rules_by_antecedent(self) -> dict[tuple[int, ...], np.ndarray]:
        return self.rules.rows_by_antecedent()

    @cached_property
    def _pair_keys(self) -> tuple[np.ndarray, np.ndarray]:
        pairs, counts = self.itemsets.level(2)
        keys = pairs[:, 0].astype(np.int64) * len(self.items) + pairs[:, 1]
        return keys, counts

    def rules_for(self, *antecedent: str) -> list[Rule]:
        """Rules whose antecedent is exactly these items, best (highest confidence) first."""
        if any(sku not in self._index for sku in antecedent):
            return []
        key = tuple(sorted(self._index[sku] for sku in antecedent))
        rows = self._rules_by_antecedent.get(key)
        return [] if rows is None else [self.rules.rule(j) for j in rows.tolist()]

    def item_count(self, sku: str) -> float:
        """Baskets (or weight) holding `sku`; 0 for an unknown SKU."""
        i = self._index.get(sku)
        return 0.0 if i is None else float(self.item_counts[i])

    def neighbours(self, sku: str) -> list[tuple[str, float, float]]:
        """(sku, cosine, co-occurrence count) of the most similar items, best first."""
        i = self._index.get(sku)
        if i is None:
            return []
        part = self.neighbour_table.of(i)
        table = self.neighbour_table
        return [
            (self.items[j], float(c), float(n))
            for j, c, n in zip(
                table.indices[part].tolist(),
                table.cosine[part].tolist(),
                table.counts[part].tolist(),
                strict=True,
            )
        ]

    def pair_count(self, a: str, b: str) -> float:
        """Baskets holding both, when known (a frequent pair or a top neighbour), else 0."""
        i, j = self._index.get(a), self._index.get(b)
        if i is None or j is None or i == j:
            return 0.0
        part = self.neighbour_table.of(i)
        found = np.flatnonzero(self.neighbour_table.indices[part] == j)
        if found.size:
            return float(self.neighbour_table.counts[part][found[0]])
        keys, counts = self._pair_keys
        key = min(i, j) * len(self.items) + max(i, j)
        position = int(np.searchsorted(keys, key))
        if position < keys.size and keys[position] == key:
            return float(counts[position])
        return 0.0

    def upgrades_for(self, sku: str) -> list[UpgradeStep]:
        """Next-rank upgrades of `sku`, most climbed first."""
        steps = [step for step in self.upgrades if step.from_sku == sku]
        return sorted(steps, key=lambda step: -step.customers)
