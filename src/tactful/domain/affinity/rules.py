"""Association rules with a single consequent, derived from counted itemsets by any engine."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tactful.domain.affinity.config import MiningConfig
from tactful.domain.affinity.itemsets import FloatArray, FrequentItemsets, IntArray


@dataclass(frozen=True, slots=True)
class Rule:
    """'Baskets with `antecedent` also hold `consequent`', with the counts behind it.

    Counts are baskets (or summed recency weights): `count` holds antecedent and consequent,
    `antecedent_count` the antecedent, `consequent_count` the consequent, of `n_baskets`.
    """

    antecedent: tuple[str, ...]
    consequent: str
    support: float
    confidence: float
    lift: float
    count: float
    antecedent_count: float
    consequent_count: float
    n_baskets: float

    @property
    def items(self) -> frozenset[str]:
        """Every item of the rule."""
        return frozenset((*self.antecedent, self.consequent))


@dataclass(frozen=True, eq=False)
class RuleArrays:
    """Rules as columns (antecedent rows padded with -1), for fast filtering and export."""

    antecedents: IntArray
    consequents: IntArray
    counts: FloatArray
    antecedent_counts: FloatArray
    consequent_counts: FloatArray


def derive_rules(itemsets: FrequentItemsets, config: MiningConfig) -> list[Rule]:
    """Rules of `min_len`..`max_len` items reaching `min_confidence`, best first."""
    arrays = rule_arrays(itemsets, config)
    n = itemsets.n_baskets
    confidence = arrays.counts / arrays.antecedent_counts
    lift = confidence / (arrays.consequent_counts / n)
    ties = [arrays.antecedents[:, i] for i in reversed(range(arrays.antecedents.shape[1]))]
    order = np.lexsort(np.vstack([*ties, arrays.consequents, -arrays.counts, -confidence]))
    labels = itemsets.items
    return [
        Rule(
            antecedent=tuple(labels[i] for i in arrays.antecedents[j] if i >= 0),
            consequent=labels[arrays.consequents[j]],
            support=float(arrays.counts[j] / n),
            confidence=float(confidence[j]),
            lift=float(lift[j]),
            count=float(arrays.counts[j]),
            antecedent_count=float(arrays.antecedent_counts[j]),
            consequent_count=float(arrays.consequent_counts[j]),
            n_baskets=float(n),
        )
        for j in order.tolist()
    ]


def rule_arrays(itemsets: FrequentItemsets, config: MiningConfig) -> RuleArrays:
    """Every rule (antecedent -> one item) of each frequent itemset, filtered by confidence."""
    width = config.max_len - 1
    parts: list[tuple[IntArray, IntArray, FloatArray, FloatArray]] = []
    for k in range(max(2, config.min_len), config.max_len + 1):
        sets, counts = itemsets.level(k)
        for position in range(k):
            antecedent = np.delete(sets, position, axis=1)
            support = _subset_counts(itemsets, antecedent)
            keep = counts / support >= config.min_confidence
            padded = np.full((int(keep.sum()), width), -1, dtype=np.int32)
            padded[:, : k - 1] = antecedent[keep]
            parts.append((padded, sets[keep, position], counts[keep], support[keep]))
    if not parts:
        empty = np.empty(0, dtype=np.float64)
        return RuleArrays(
            np.empty((0, width), np.int32), np.empty(0, np.int32), empty, empty, empty
        )
    consequents = np.concatenate([p[1] for p in parts]).astype(np.int32)
    return RuleArrays(
        antecedents=np.concatenate([p[0] for p in parts]),
        consequents=consequents,
        counts=np.concatenate([p[2] for p in parts]),
        antecedent_counts=np.concatenate([p[3] for p in parts]),
        consequent_counts=itemsets.item_counts[consequents],
    )


def _subset_counts(itemsets: FrequentItemsets, rows: IntArray) -> FloatArray:
    """Counts of itemsets known to be frequent (subsets of frequent itemsets)."""
    if rows.shape[1] == 1:
        return itemsets.item_counts[rows[:, 0]]
    sets, counts = itemsets.level(rows.shape[1])
    base = len(itemsets.items)
    known, wanted = _keys(sets, base), _keys(rows, base)
    position = np.searchsorted(known, wanted)
    if wanted.size and (position.max() >= known.size or np.any(known[position] != wanted)):
        raise ValueError("itemsets are not closed under subsets: an engine dropped an itemset")
    return counts[position]


def _keys(rows: IntArray, base: int) -> npt.NDArray[np.int64] | npt.NDArray[np.object_]:
    """Keys ordered like the rows (lexicographic); Python ints when int64 would overflow."""
    wide = float(base) ** rows.shape[1] >= 2.0**62
    keys = np.zeros(rows.shape[0], dtype=object if wide else np.int64)
    for column in range(rows.shape[1]):
        keys = keys * base + (rows[:, column].astype(object) if wide else rows[:, column])
    return keys
