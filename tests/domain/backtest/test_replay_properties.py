"""Invariants of any replay: the engine's limits hold, and nothing is offered from the cart."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tactful.domain.affinity import MiningConfig
from tactful.domain.backtest.models import MonthlyModels
from tactful.domain.backtest.policy_file import BacktestPolicy
from tactful.domain.backtest.replay import replay
from tactful.domain.backtest.summary import summarise
from tactful.domain.lifetime.history import OrderHistory
from tactful.domain.offers import OfferPolicy
from tests.domain.backtest.test_replay import CATALOG, FEB, JAN, PRICES, order

visits = st.lists(
    st.tuples(
        st.sampled_from(["ann", "bob", "cat", None]),
        st.integers(0, 50),
        st.lists(st.sampled_from(sorted(PRICES)), min_size=1, max_size=3),
    ),
    max_size=25,
)


@settings(max_examples=20, deadline=None)
@given(visits, st.integers(1, 3), st.integers(0, 2))
def test_limits_hold_for_any_history(
    later: list[tuple[str | None, int, list[str]]], budget: int, max_offers: int
) -> None:
    january = [
        order(n, f"j{n}", JAN + timedelta(hours=9 * n), "LAMP", "BULB") for n in range(25)
    ] + [order(100 + n, f"s{n}", JAN + timedelta(hours=9 * n + 1), "SHADE") for n in range(25)]
    rest = [
        order(200 + n, who, FEB + timedelta(hours=7 * hours), *skus)
        for n, (who, hours, skus) in enumerate(later)
    ]
    history = OrderHistory.from_orders(january + rest)
    policy = OfferPolicy(holdout_share=0.0, budget=budget, max_offers=max_offers)
    models = MonthlyModels.of(history, MiningConfig(min_support=0.05))
    replayed = replay(
        history,
        CATALOG,
        [BacktestPolicy("p", policy)],
        models,
        start=FEB,
        end=FEB + timedelta(days=20),
    )
    (run,) = replayed.runs
    (summary,), _ = summarise(replayed, history)
    assert summary.decisions == sum(1 for who, _, _ in later if who is not None)
    assert summary.offers <= max_offers * summary.decisions
    assert summary.weekly.max <= budget
    for index, sku in zip(run.offer_orders, run.offer_skus, strict=True):
        assert sku not in history.skus(index)
    assert len(run.bought_anyway) == summary.offers
