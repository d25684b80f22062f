"""tactful's default ranking against the baselines on catalogues with a known shape."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tactful.domain.affinity import Baskets
from tactful.domain.affinity.evaluation import Split, evaluate
from tactful.domain.affinity.ranking import CoOccurrence, Ranking, recommend, scorer


def _shop(
    seed: int, staples: tuple[float, ...], families: int, p_family: float, p_member: float
) -> Baskets:
    """Staples bought independently; each 4-item family joins a basket with p_family."""
    rng = np.random.default_rng(seed)
    n = 3000
    bought = rng.random((n, len(staples))) < np.asarray(staples)
    joined = rng.random((n, families)) < p_family
    members = (rng.random((n, families, 4)) < p_member) & joined[:, :, np.newaxis]
    baskets = []
    for b in range(n):
        staple = [f"staple{i}" for i in np.flatnonzero(bought[b])]
        family = [f"f{i}m{j}" for i, j in zip(*np.nonzero(members[b]), strict=True)]
        baskets.append(staple + family or ["staple0"])
    return Baskets.from_lists(baskets)


def _hr2(baskets: Baskets, seed: int) -> dict[str, float]:
    result = evaluate(baskets, Split.parse("random:0.7"), seed=seed, ks=(2,))
    return {m.ranking: m.hit_rates[2] for m in result.results}


def test_staples_dominated_catalogue_is_never_worse_than_popularity() -> None:
    for seed in (0, 1):
        rates = _hr2(_shop(seed, (0.6, 0.5, 0.4, 0.3), 30, 0.05, 0.5), seed)
        assert rates[Ranking.TACTFUL] >= rates[Ranking.POPULARITY] + 0.02, rates


def test_structured_catalogue_beats_popularity_and_confidence() -> None:
    for seed in (0, 1):
        rates = _hr2(_shop(seed, (0.4, 0.3), 30, 0.08, 0.6), seed)
        assert rates[Ranking.TACTFUL] > rates[Ranking.POPULARITY] + 0.2, rates
        assert rates[Ranking.TACTFUL] > rates[Ranking.CONFIDENCE] + 0.02, rates


_SMALL = _shop(3, (0.5, 0.3), 6, 0.3, 0.6)
_SKUS = st.sampled_from([*_SMALL.items, "unknown"])


@settings(max_examples=60, deadline=None)
@given(cart=st.lists(_SKUS, max_size=6), k=st.integers(0, 40))
def test_recommend_is_distinct_outside_the_cart_at_most_k_and_deterministic(
    cart: list[str], k: int
) -> None:
    catalogue = CoOccurrence.from_baskets(_SMALL)
    ranker = scorer(catalogue, Ranking.TACTFUL)
    offered = recommend(ranker, cart, k)
    skus = [sku for sku, _ in offered]
    assert len(skus) <= k
    assert len(set(skus)) == len(skus)
    assert not set(skus) & set(cart)
    assert [s for _, s in offered] == sorted((s for _, s in offered), reverse=True)
    assert recommend(scorer(catalogue, Ranking.TACTFUL), cart, k) == offered
