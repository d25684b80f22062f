"""The Spark engine returns exactly the local engine's itemsets (local[2])."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tactful.domain.affinity import Baskets, LocalEngine, MiningConfig, prepare_baskets

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore::FutureWarning"),
    pytest.mark.filterwarnings("ignore::UserWarning"),
]
GROCERIES = Path(__file__).resolve().parents[4] / "shared/data/groceries_arules/groceries.csv"


@pytest.fixture(scope="module")
def engine() -> Iterator[Any]:
    """One local[2] session for the module: starting Spark takes seconds."""
    missing = None
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing = "pyspark is not installed (pip install 'tactful[spark]')"
    if missing is None and shutil.which("java") is None:
        missing = "java is not on PATH"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {missing}")
        pytest.skip(missing)
    from tactful.adapters.spark import SparkEngine, spark_session

    session = spark_session("local[2]")
    session.sparkContext.setLogLevel("ERROR")
    yield SparkEngine(session)
    session.stop()


def _groceries() -> Baskets:
    lines = GROCERIES.read_text().splitlines()
    return Baskets.from_lists([[x.strip() for x in ln.split(",") if x.strip()] for ln in lines])


def test_groceries_same_itemsets(engine: Any) -> None:
    config = MiningConfig(min_support=0.006, min_confidence=0.25)
    baskets = _groceries()
    spark, local = (
        engine.frequent_itemsets(baskets, config),
        LocalEngine().frequent_itemsets(baskets, config),
    )
    assert spark.same_as(local)
    assert spark.pairs.shape[0] > 100
    assert spark.triples.shape[0] > 50


def _generated(seed: int, n: int = 3000, n_items: int = 40) -> Baskets:
    rng = np.random.default_rng(seed)
    popularity = rng.zipf(1.6, n_items).astype(float)
    p = popularity / popularity.sum()
    baskets = [
        [f"i{j}" for j in rng.choice(n_items, size=int(rng.integers(1, 9)), replace=False, p=p)]
        for _ in range(n)
    ]
    times = np.datetime64("2024-01-01T00:00:00") + rng.integers(0, 365 * 86400, n).astype(
        "timedelta64[s]"
    )
    return replace(Baskets.from_lists(baskets), times=times.astype("datetime64[s]"))


@pytest.mark.parametrize("max_len", [2, 3, 4])
def test_generated_same_itemsets(engine: Any, max_len: int) -> None:
    config = MiningConfig(min_support=0.01, max_len=max_len)
    baskets = _generated(max_len)
    spark, local = (
        engine.frequent_itemsets(baskets, config),
        LocalEngine().frequent_itemsets(baskets, config),
    )
    assert spark.same_as(local)
    assert len(spark.levels) == max_len - 1


def test_recency_weighted_counts_match(engine: Any) -> None:
    config = MiningConfig(min_support=0.01, half_life_days=60)
    prepared = prepare_baskets(_generated(7), config).baskets
    assert prepared.weights is not None
    spark = engine.frequent_itemsets(prepared, config)
    local = LocalEngine().frequent_itemsets(prepared, config)
    assert spark.weighted
    assert spark.same_as(local, tolerance=1e-9)
