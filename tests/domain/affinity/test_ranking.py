"""Ranking add-ons: a known pair structure must come back; nothing in the cart is offered."""

from __future__ import annotations

from tactful.domain.affinity import Baskets
from tactful.domain.affinity.ranking import CoOccurrence, Ranking, recommend, scorer


def _pairs() -> Baskets:
    """Each of 10 pairs (a_i, b_i) bought together; a staple in half the baskets."""
    baskets = []
    for i in range(10):
        for r in range(6):
            basket = [f"a{i}", f"b{i}"] + (["milk"] if r % 2 else [])
            baskets.append(basket)
    return Baskets.from_lists(baskets + [["milk"]] * 40)


def test_hidden_partner_comes_back_first_for_every_ranking_but_popularity() -> None:
    cooc = CoOccurrence.from_baskets(_pairs())
    for ranking in (Ranking.TACTFUL, Ranking.CONFIDENCE, Ranking.COSINE):
        ranker = scorer(cooc, ranking)
        for i in range(10):
            top = recommend(ranker, [f"a{i}"], 1)
            assert top[0][0] == f"b{i}", ranking
    assert recommend(scorer(cooc, Ranking.POPULARITY), ["a0"], 1)[0][0] == "milk"


def test_cart_items_and_unknown_skus_are_never_offered() -> None:
    cooc = CoOccurrence.from_baskets(_pairs())
    offered = [sku for sku, _ in recommend(cooc, ["a1", "b1", "nope"], 50)]
    assert "a1" not in offered
    assert "b1" not in offered
    assert "nope" not in offered
    assert len(offered) == len(cooc.items) - 2
    scores = [score for _, score in recommend(cooc, ["a1"], 5)]
    assert scores == sorted(scores, reverse=True)


def test_empty_cart_falls_back_to_popularity() -> None:
    assert recommend(CoOccurrence.from_baskets(_pairs()), [], 1)[0][0] == "milk"


def test_pruned_counts_fall_back_and_still_find_partners() -> None:
    pruned = CoOccurrence.pruned(_pairs(), min_count=2, top=5)
    assert not pruned.complete
    ranker = scorer(pruned, Ranking.TACTFUL)
    assert all(recommend(ranker, [f"a{i}"], 1)[0][0] == f"b{i}" for i in range(10))


def test_ridge_keeps_at_most_top_weights_per_cart_item() -> None:
    from tactful.domain.affinity.ranking import TactfulWeights, ridge_weights

    matrix, intercept = ridge_weights(CoOccurrence.from_baskets(_pairs()), TactfulWeights(top=3))
    assert (matrix.getnnz(axis=1) <= 3).all()
    assert int(intercept.argmax()) == _pairs().items.index("milk")
