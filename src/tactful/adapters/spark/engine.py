"""Counting frequent itemsets with Spark DataFrames: the same answer as the local engine.

Baskets travel to the executors as CSR chunks (no per-row work on the driver). Items are
counted with one aggregation; pairs with a self-join of (basket, item) rows; each larger
level joins the baskets' contained (k-1)-itemsets with the Apriori candidates (generated on
the driver, broadcast) and checks the extension item is in the basket. Thresholds are applied
on the driver with exactly the local engine's expression, so both return identical itemsets.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from tactful.domain.affinity.baskets import Baskets
from tactful.domain.affinity.config import MiningConfig
from tactful.domain.affinity.counting import _all_subsets_frequent, _join
from tactful.domain.affinity.itemsets import FloatArray, FrequentItemsets, IntArray

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

CHUNK_BASKETS = 20_000
_SLACK = 1e-9  # keep near-threshold sets in Spark; the driver applies the exact test


class SparkUnavailableError(RuntimeError):
    """PySpark (or Java) is missing: say how to get it."""


def spark_session(master: str | None = None, app_name: str = "tactful-mine") -> SparkSession:
    """A Spark session on `master` (default local[*]); a clear error if PySpark is missing."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise SparkUnavailableError(
            "the Spark engine needs PySpark: pip install 'tactful[spark]' (and Java 17+)"
        ) from exc
    builder = SparkSession.builder.appName(app_name).master(master or "local[*]")
    builder = builder.config("spark.sql.shuffle.partitions", "8")
    builder = builder.config("spark.ui.enabled", "false")
    builder = builder.config("spark.ui.showConsoleProgress", "false")
    if (master or "local").startswith("local"):
        # executors must run this interpreter, which has tactful installed
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = builder.config("spark.pyspark.python", sys.executable)
    try:
        return builder.getOrCreate()
    except Exception as exc:  # Java missing or the master unreachable
        raise SparkUnavailableError(
            f"could not start Spark on {master or 'local[*]'}: {exc}"
        ) from exc


class SparkEngine:
    """Implements `MiningEngine` on a Spark session (created on first use if not given)."""

    def __init__(self, session: SparkSession | None = None, *, master: str | None = None) -> None:
        self._session = session
        self._master = master

    @property
    def session(self) -> SparkSession:
        """The session, started on first use."""
        if self._session is None:
            self._session = spark_session(self._master)
        return self._session

    def frequent_itemsets(self, baskets: Baskets, config: MiningConfig) -> FrequentItemsets:
        """Count itemsets of 2..max_len items reaching `config.min_support`."""
        if baskets.n_baskets == 0:
            raise ValueError("baskets: there are no baskets to mine")
        weights = _weights(baskets)
        total = float(weights.sum())
        if not total > 0:
            raise ValueError("weights: baskets must have a positive total weight")
        entries = self._entries(baskets, weights).cache()
        try:
            return self._count(baskets, entries, total, config)
        finally:
            entries.unpersist()

    def _entries(self, baskets: Baskets, weights: FloatArray) -> DataFrame:
        from pyspark.sql.types import DoubleType, IntegerType, LongType, StructField, StructType

        chunks = [
            (
                start,
                baskets.indptr[start : stop + 1].copy(),
                baskets.indices[baskets.indptr[start] : baskets.indptr[stop]].copy(),
                weights[start:stop].copy(),
            )
            for start, stop in _ranges(baskets.n_baskets, CHUNK_BASKETS)
        ]
        rdd = self.session.sparkContext.parallelize(chunks, max(1, len(chunks)))
        schema = StructType(
            [
                StructField("basket", LongType(), False),
                StructField("item", IntegerType(), False),
                StructField("w", DoubleType(), False),
            ]
        )
        return self.session.createDataFrame(rdd.flatMap(_rows), schema)

    def _count(
        self, baskets: Baskets, entries: DataFrame, total: float, config: MiningConfig
    ) -> FrequentItemsets:
        from pyspark.sql import functions as sf

        n_items = len(baskets.items)
        item_counts = np.zeros(n_items, dtype=np.float64)
        for row in entries.groupBy("item").agg(sf.sum("w").alias("n")).collect():
            item_counts[int(row["item"])] = float(row["n"])
        frequent = np.flatnonzero(item_counts / total >= config.min_support).astype(np.int32)
        kept = entries.join(
            sf.broadcast(self._frame(frequent.reshape(-1, 1), ["item"])), "item"
        ).cache()
        levels, counts = [], []
        sets, level_counts, contained = self._pairs(kept, total, config.min_support)
        levels.append(sets)
        counts.append(level_counts)
        for k in range(3, config.max_len + 1):
            if sets.shape[0] == 0:
                levels.append(np.empty((0, k), dtype=np.int32))
                counts.append(np.empty(0, dtype=np.float64))
                continue
            sets, level_counts, contained = self._extend(
                kept, contained, sets, n_items, total, config.min_support
            )
            levels.append(sets)
            counts.append(level_counts)
        kept.unpersist()
        return FrequentItemsets(
            items=baskets.items,
            n_baskets=total,
            item_counts=item_counts,
            levels=tuple(levels),
            counts=tuple(counts),
            weighted=baskets.weights is not None,
        )

    def _pairs(
        self, kept: DataFrame, total: float, min_support: float
    ) -> tuple[IntArray, FloatArray, DataFrame]:
        from pyspark.sql import functions as sf

        left = kept.select("basket", sf.col("item").alias("i0"), "w")
        right = kept.select("basket", sf.col("item").alias("i1"))
        rows = left.join(right, "basket").where(sf.col("i0") < sf.col("i1"))
        sets, counts = self._frequent(rows, ["i0", "i1"], total, min_support)
        contained = rows.join(sf.broadcast(self._frame(sets, ["i0", "i1"])), ["i0", "i1"])
        return sets, counts, contained

    def _extend(
        self,
        kept: DataFrame,
        contained: DataFrame,
        sets: IntArray,
        n_items: int,
        total: float,
        min_support: float,
    ) -> tuple[IntArray, FloatArray, DataFrame]:
        from pyspark.sql import functions as sf

        k = sets.shape[1] + 1
        left, right = _join(sets)
        candidates = np.column_stack((sets[left], sets[right, -1])).astype(np.int32)
        candidates = candidates[_all_subsets_frequent(candidates, sets, n_items)]
        names = [f"i{j}" for j in range(k)]
        if candidates.shape[0] == 0:
            return np.empty((0, k), dtype=np.int32), np.empty(0, dtype=np.float64), contained
        grown = contained.join(sf.broadcast(self._frame(candidates, names)), names[:-1])
        present = kept.select("basket", sf.col("item").alias(names[-1]))
        rows = grown.join(present, ["basket", names[-1]])
        found, counts = self._frequent(rows, names, total, min_support)
        next_contained = rows.join(sf.broadcast(self._frame(found, names)), names)
        return found, counts, next_contained

    def _frequent(
        self, rows: DataFrame, names: list[str], total: float, min_support: float
    ) -> tuple[IntArray, FloatArray]:
        """Aggregate, then apply the local engine's exact threshold on the driver."""
        from pyspark.sql import functions as sf

        floor = min_support * total * (1.0 - _SLACK)
        grouped = rows.groupBy(*names).agg(sf.sum("w").alias("n")).where(sf.col("n") >= floor)
        collected = grouped.collect()
        k = len(names)
        sets = np.array([[r[c] for c in names] for r in collected], dtype=np.int32).reshape(-1, k)
        counts = np.array([float(r["n"]) for r in collected], dtype=np.float64)
        keep = counts / total >= min_support
        sets, counts = sets[keep], counts[keep]
        order = np.lexsort(tuple(sets[:, c] for c in reversed(range(k))))
        return sets[order], counts[order]

    def _frame(self, rows: IntArray, names: list[str]) -> DataFrame:
        from pyspark.sql.types import IntegerType, StructField, StructType

        schema = StructType([StructField(n, IntegerType(), False) for n in names])
        data = [tuple(int(v) for v in row) for row in rows.tolist()] if rows.size else []
        return self.session.createDataFrame(data, schema)


def _weights(baskets: Baskets) -> FloatArray:
    if baskets.weights is None:
        return np.ones(baskets.n_baskets, dtype=np.float64)
    return np.asarray(baskets.weights, dtype=np.float64)


def _ranges(n: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, n, size):
        yield start, min(start + size, n)


def _rows(chunk: tuple[int, Any, Any, Any]) -> Iterator[tuple[int, int, float]]:
    """(basket, item, weight) rows of one CSR chunk; runs on the executors."""
    start, indptr, indices, weights = chunk
    sizes = np.diff(indptr)
    basket = np.repeat(np.arange(start, start + sizes.size, dtype=np.int64), sizes)
    w = np.repeat(weights, sizes)
    return zip(basket.tolist(), indices.tolist(), w.tolist(), strict=True)
