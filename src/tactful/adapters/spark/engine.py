"""Counting frequent itemsets with Spark DataFrames: the same answer as the local engine.

Baskets travel to Spark once, as Parquet files written column-wise by pyarrow with one row
per basket (its items as an array, plus its weight when recency-weighted) into a staging
folder (a temporary one; on a cluster pass `staging_dir` on storage every executor can
read); no row passes through Python. The rest runs in the JVM: items are counted by
exploding the arrays; each basket is cut to its frequent items with a lookup literal; its
pairs are generated inside the row by higher-order array functions and counted with a
map-side partial aggregation; each larger level joins the contained (k-1)-itemsets with the
Apriori candidates (generated on the driver by the local engine's own functions, broadcast)
on their prefix and keeps the rows whose extension item is in the basket. Thresholds are
applied on the driver with exactly the local engine's expression, so both return identical
itemsets.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from tactful.domain.affinity.baskets import Baskets
from tactful.domain.affinity.config import MiningConfig
from tactful.domain.affinity.counting import all_subsets_frequent, join_prefixes
from tactful.domain.affinity.itemsets import FloatArray, FrequentItemsets, IntArray

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

BASKETS_PER_FILE = 250_000
_SLACK = 1e-9  # keep near-threshold sets in Spark; the driver applies the exact test


class SparkUnavailableError(RuntimeError):
    """PySpark (or Java) is missing: say how to get it."""


def spark_session(
    master: str | None = None,
    app_name: str = "tactful-mine",
    *,
    config: Mapping[str, str] | None = None,
) -> SparkSession:
    """A Spark session on `master` (default local[*]); a clear error if PySpark is missing.

    `config` adds Spark settings (e.g. spark.driver.memory), applied when the JVM starts.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise SparkUnavailableError(
            "the Spark engine needs PySpark: pip install 'tactful[spark]' (and Java 17+)"
        ) from exc
    settings = {
        "spark.sql.shuffle.partitions": "8",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        **(config or {}),
    }
    builder = SparkSession.builder.appName(app_name).master(master or "local[*]")
    for key, value in settings.items():
        builder = builder.config(key, value)
    if (master or "local").startswith("local"):
        # executors must run this interpreter, which has tactful installed
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = builder.config("spark.pyspark.python", sys.executable)
        # local mode talks to itself only: keep the driver on loopback, not the host's address
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = builder.config("spark.driver.host", "127.0.0.1")
        builder = builder.config("spark.driver.bindAddress", "127.0.0.1")
    try:
        return builder.getOrCreate()
    except Exception as exc:  # Java missing or the master unreachable
        raise SparkUnavailableError(
            f"could not start Spark on {master or 'local[*]'}: {exc}"
        ) from exc


class SparkEngine:
    """Implements `MiningEngine` on a Spark session (created on first use if not given)."""

    def __init__(
        self,
        session: SparkSession | None = None,
        *,
        master: str | None = None,
        staging_dir: str | None = None,
    ) -> None:
        self._session = session
        self._master = master
        self._staging_dir = staging_dir

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
        weighted = baskets.weights is not None
        total = (
            float(baskets.n_baskets) if baskets.weights is None else float(baskets.weights.sum())
        )
        if not total > 0:
            raise ValueError("weights: baskets must have a positive total weight")
        staging = tempfile.mkdtemp(prefix="tactful-baskets-", dir=self._staging_dir)
        try:
            frame = self.session.read.parquet(_write_parquet(baskets, staging))
            item_counts = self._item_counts(frame, len(baskets.items), weighted)
            frequent = item_counts / total >= config.min_support
            kept = _kept(frame, frequent, weighted).cache()
            try:
                levels, counts = self._levels(kept, len(baskets.items), total, config, weighted)
            finally:
                kept.unpersist()
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return FrequentItemsets(
            items=baskets.items,
            n_baskets=total,
            item_counts=item_counts,
            levels=tuple(levels),
            counts=tuple(counts),
            weighted=weighted,
        )

    def _item_counts(self, frame: DataFrame, n_items: int, weighted: bool) -> FloatArray:
        from pyspark.sql import functions as sf

        rows = frame.select(sf.explode("items").alias("item"), *(["w"] if weighted else []))
        item_counts = np.zeros(n_items, dtype=np.float64)
        for row in rows.groupBy("item").agg(_count(weighted)).collect():
            item_counts[int(row["item"])] = float(row["n"])
        return item_counts

    def _levels(
        self, kept: DataFrame, n_items: int, total: float, config: MiningConfig, weighted: bool
    ) -> tuple[list[IntArray], list[FloatArray]]:
        """Frequent itemsets of 2..max_len items, one Spark aggregation per level."""
        rows = _pair_rows(kept, weighted)
        sets, counts = self._frequent(rows, ["i0", "i1"], total, config.min_support, weighted)
        levels, level_counts = [sets], [counts]
        if config.max_len > 2 and sets.shape[0]:
            # only items of frequent pairs can be in larger itemsets: shorter baskets, fewer rows
            used = np.zeros(n_items, dtype=bool)
            used[sets.ravel()] = True
            rows = _pair_rows(_kept(kept.withColumnRenamed("k", "items"), used, weighted), weighted)
        for k in range(3, config.max_len + 1):
            candidates = _candidates(sets, n_items)
            if candidates.shape[0] == 0:
                sets, counts = np.empty((0, k), dtype=np.int32), np.empty(0, dtype=np.float64)
            else:
                rows = self._extend(rows, candidates)
                names = [f"i{j}" for j in range(k)]
                sets, counts = self._frequent(rows, names, total, config.min_support, weighted)
            levels.append(sets)
            level_counts.append(counts)
        return levels, level_counts

    def _extend(self, rows: DataFrame, candidates: IntArray) -> DataFrame:
        """Rows of the candidates each basket holds: prefix contained, extension present."""
        from pyspark.sql import functions as sf

        k = candidates.shape[1]
        names = [f"i{j}" for j in range(k)]
        grown = rows.join(sf.broadcast(self._frame(candidates, names)), names[:-1])
        return grown.where(sf.array_contains("k", sf.col(names[-1])))

    def _frequent(
        self, rows: DataFrame, names: list[str], total: float, min_support: float, weighted: bool
    ) -> tuple[IntArray, FloatArray]:
        """Aggregate, then apply the local engine's exact threshold on the driver."""
        from pyspark.sql import functions as sf

        floor = min_support * total * (1.0 - _SLACK)
        grouped = rows.groupBy(*names).agg(_count(weighted)).where(sf.col("n") >= floor)
        collected = grouped.collect()
        k = len(names)
        sets = np.array([[r[c] for c in names] for r in collected], dtype=np.int32).reshape(-1, k)
        counts = np.array([float(r["n"]) for r in collected], dtype=np.float64)
        keep = counts / total >= min_support
        sets, counts = sets[keep], counts[keep]
        order = np.lexsort(tuple(sets[:, c] for c in reversed(range(k))))
        return sets[order], counts[order]

    def _frame(self, rows: IntArray, names: list[str]) -> DataFrame:
        """A small int table (candidates) sent as one Arrow batch."""
        import pyarrow as pa

        columns = [pa.array(rows[:, j].astype(np.int32)) for j in range(len(names))]
        return self.session.createDataFrame(pa.Table.from_arrays(columns, names=names))


def _write_parquet(baskets: Baskets, directory: str) -> str:
    """Baskets as Parquet files of rows (items: list<int32>[, w: double]); returns the folder.

    Written column-wise from the CSR arrays with pyarrow, so no basket passes through Python
    and Spark reads them in parallel (one or more partitions per file).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    for number, start in enumerate(range(0, baskets.n_baskets, BASKETS_PER_FILE)):
        stop = min(start + BASKETS_PER_FILE, baskets.n_baskets)
        first, last = int(baskets.indptr[start]), int(baskets.indptr[stop])
        large = last - first >= 2**31
        offsets = baskets.indptr[start : stop + 1] - first
        kind = pa.LargeListArray if large else pa.ListArray
        items = kind.from_arrays(
            pa.array(offsets.astype(np.int64 if large else np.int32)),
            pa.array(baskets.indices[first:last].astype(np.int32, copy=False)),
        )
        columns, names = [items], ["items"]
        if baskets.weights is not None:
            columns.append(pa.array(np.asarray(baskets.weights[start:stop], dtype=np.float64)))
            names.append("w")
        table = pa.Table.from_arrays(columns, names=names)
        pq.write_table(table, os.path.join(directory, f"part-{number:05d}.parquet"))
    return directory


def _count(weighted: bool) -> Column:
    """Baskets (or their summed weight) per group, as a double named n."""
    from pyspark.sql import functions as sf

    count = sf.sum("w") if weighted else sf.count(sf.lit(1)).cast("double")
    return count.alias("n")


def _kept(frame: DataFrame, frequent: np.ndarray, weighted: bool) -> DataFrame:
    """Each basket's frequent items as `k`, for baskets that still hold two or more."""
    from pyspark.sql import functions as sf

    flags = sf.lit([bool(f) for f in frequent.tolist()])
    kept = frame.select(
        sf.filter("items", lambda x: sf.get(flags, x)).alias("k"),
        *(["w"] if weighted else []),
    )
    return kept.where(sf.size("k") >= 2)


def _pair_rows(kept: DataFrame, weighted: bool) -> DataFrame:
    """One row (k, i0, i1[, w]) per pair i0 < i1 of each basket's frequent items."""
    from pyspark.sql import functions as sf

    def after(x: Column, i: Column) -> Column:
        rest = sf.slice("k", i + 2, sf.size("k") - i - 1)
        return sf.transform(rest, lambda y: sf.struct(x.alias("i0"), y.alias("i1")))

    pairs = sf.inline(sf.flatten(sf.transform("k", after)))
    return kept.select("k", *(["w"] if weighted else []), pairs)


def _candidates(sets: IntArray, n_items: int) -> IntArray:
    """Apriori candidates of one more item, exactly as the local engine forms them."""
    left, right = join_prefixes(sets)
    candidates = np.column_stack((sets[left], sets[right, -1])).astype(np.int32)
    return candidates[all_subsets_frequent(candidates, sets, n_items)]
