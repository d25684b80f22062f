"""The mined model adapts to the offer engine with its real counts."""

from __future__ import annotations

import pytest

from tactful.domain.affinity import Baskets, MiningConfig, mine
from tactful.domain.catalog import Sku
from tactful.domain.offers import Moment
from tactful.domain.offers.model_source import ModelAffinity
from tests.domain.offers.builders import offered, product, run

# a with b 6 times, a alone 2 times, b with c once, c alone 11 times: 20 baskets
BASKETS = [["a", "b"]] * 6 + [["a"]] * 2 + [["b", "c"]] + [["c"]] * 11


def _source() -> ModelAffinity:
    model = mine(Baskets.from_lists(BASKETS), MiningConfig(min_support=0.01, min_cooccurrence=1))
    return ModelAffinity.from_model(model)


def test_evidence_carries_the_counts_behind_it() -> None:
    [evidence] = _source().cross_sells(Sku("a"), 5)
    assert (evidence.consequent, evidence.count, evidence.antecedent_count) == ("b", 6, 8)
    assert evidence.confidence == pytest.approx(6 / 8)
    assert evidence.lift == pytest.approx((6 / 8) / (7 / 20))
    assert evidence.support == pytest.approx(6 / 20)
    assert evidence.score == pytest.approx(6 / (8 * 7) ** 0.5)


def test_neighbours_are_best_first_and_limited() -> None:
    source = _source()
    assert [e.consequent for e in source.cross_sells(Sku("b"), 5)] == ["a", "c"]
    assert len(source.cross_sells(Sku("b"), 1)) == 1
    assert not source.cross_sells(Sku("unknown"), 5)


def test_the_engine_decides_from_a_mined_model() -> None:
    products = [product("a", 1000), product("b", 500), product("c", 500)]
    decision = run(Moment.CART, ["a"], products, affinity=_source())
    assert offered(decision) == ["b"]
    assert decision.offers[0].reason == "Often bought together with A"  # 8 buyers < 30


def test_served_ranking_weights_order_the_candidates() -> None:
    from tactful.domain.affinity.ranking import CoOccurrence, RankingWeights, TactfulWeights

    baskets = Baskets.from_lists(BASKETS)
    model = mine(baskets, MiningConfig(min_support=0.01, min_cooccurrence=1))
    ranking = RankingWeights.fit(CoOccurrence.from_baskets(baskets), TactfulWeights())
    row = ranking.row_lookup(model.items)
    source = ModelAffinity.from_model(model, row)

    found = source.cross_sells(Sku("b"), 5)

    assert {e.consequent for e in found} == {"a", "c"}
    assert [e.score for e in found] == sorted((row("b")[e.consequent] for e in found), reverse=True)
    assert found[0].count == 6  # the counts behind the evidence are still the real ones
