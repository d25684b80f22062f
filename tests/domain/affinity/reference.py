"""Brute-force counting for small inputs: the slow, obviously right answer to compare with."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import combinations


def brute_rules(
    baskets: Sequence[Sequence[str]], min_support: float, min_confidence: float, max_len: int
) -> dict[tuple[frozenset[str], str], tuple[float, float, float, int]]:
    """(antecedent, consequent) -> (support, confidence, lift, count) by enumeration."""
    sets = [frozenset(b) for b in baskets]
    n = len(sets)
    counts: Counter[frozenset[str]] = Counter()
    for basket in sets:
        for size in range(1, max_len + 1):
            counts.update(frozenset(c) for c in combinations(sorted(basket), size))
    rules = {}
    for itemset, count in counts.items():
        if len(itemset) < 2 or count / n < min_support:
            continue
        for consequent in itemset:
            antecedent = itemset - {consequent}
            confidence = count / counts[antecedent]
            if confidence >= min_confidence:
                lift = confidence / (counts[frozenset([consequent])] / n)
                rules[(antecedent, consequent)] = (count / n, confidence, lift, count)
    return rules
