"""Model versions: metadata rows in `models`, the mined arrays in data_dir/models/<version>.npz.

The arrays (itemset counts, neighbour tables) run to hundreds of MB on large histories; a file
loads with one read (no BLOB round trip through the driver, no bloated WAL or TOAST) and the row
keeps its SHA-256 so a swapped or truncated file is refused. Rules are not stored: they are
derived again from the itemsets and parameters, exactly.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sqlalchemy import Connection, select, update

from tactful.adapters.db.repositories._common import utc
from tactful.adapters.db.tables_models import models
from tactful.domain.affinity import (
    AffinityModel,
    FrequentItemsets,
    MiningConfig,
    MiningSummary,
    Neighbours,
    UpgradeStep,
    rule_table,
)
from tactful.domain.affinity.ranking import RankingWeights
from tactful.domain.model_versions import (
    ModelInfo,
    config_from_json,
    config_to_json,
    summary_to_json,
)

__all__ = [
    "ModelInfo",
    "NpzModelPayloads",
    "SqlModelStore",
    "activate",
    "active_version",
    "config_from_json",
    "config_to_json",
    "get_model",
    "insert_model",
    "list_models",
    "load_payload",
    "load_stored",
    "save_payload",
    "summary_to_json",
]


def insert_model(conn: Connection, info: ModelInfo) -> None:
    """Store a version's row (its payload file must already be written)."""
    row = asdict(info)
    row["created_at"] = utc(info.created_at)
    for key in ("window_start", "window_end"):
        row[key] = utc(row[key]) if row[key] is not None else None
    conn.execute(models.insert().values(**row))


def activate(conn: Connection, version: str) -> None:
    """Make `version` the one active model (every other becomes inactive) in one transaction."""
    found = conn.execute(select(models.c.version).where(models.c.version == version)).first()
    if found is None:
        raise LookupError(f"version: no model version {version!r}")
    conn.execute(
        update(models)
        .where(models.c.version != version, models.c.status == "active")
        .values(status="inactive")
    )
    conn.execute(update(models).where(models.c.version == version).values(status="active"))


def active_version(conn: Connection) -> str | None:
    """The active version's id: one indexed lookup, cheap enough to poll."""
    row = conn.execute(select(models.c.version).where(models.c.status == "active").limit(1)).first()
    return None if row is None else str(row[0])


def get_model(conn: Connection, version: str) -> ModelInfo | None:
    """One version's row."""
    row = conn.execute(select(models).where(models.c.version == version)).mappings().first()
    return None if row is None else _info(row)


def list_models(conn: Connection, *, limit: int = 50) -> list[ModelInfo]:
    """Newest versions first."""
    rows = conn.execute(select(models).order_by(models.c.created_at.desc()).limit(limit))
    return [_info(row) for row in rows.mappings()]


def _info(row: Any) -> ModelInfo:
    return ModelInfo(
        version=row["version"],
        created_at=_aware(row["created_at"]),
        status=row["status"],
        engine=row["engine"],
        params=dict(row["params"]),
        window_start=_aware(row["window_start"]),
        window_end=_aware(row["window_end"]),
        summary=dict(row["summary"]),
        payload_path=row["payload_path"],
        payload_sha256=row["payload_sha256"],
    )


def _aware(value: datetime | None) -> Any:
    return None if value is None else utc(value)


# ---- the payload file ---------------------------------------------------------------------


def save_payload(model: AffinityModel, path: Path, ranking: RankingWeights | None = None) -> str:
    """Write the model's arrays (and its ranking weights) atomically; returns its SHA-256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sets = model.itemsets
    arrays: dict[str, Any] = {
        "items": np.asarray(sets.items, dtype=np.str_),
        "item_counts": sets.item_counts,
        "n_baskets": np.float64(sets.n_baskets),
        "weighted": np.bool_(sets.weighted),
        "nb_indptr": model.neighbour_table.indptr,
        "nb_indices": model.neighbour_table.indices,
        "nb_cosine": model.neighbour_table.cosine,
        "nb_counts": model.neighbour_table.counts,
        "upgrades": np.asarray(json.dumps([asdict(u) for u in model.upgrades])),
    }
    for k, (level, counts) in enumerate(zip(sets.levels, sets.counts, strict=True), start=2):
        arrays[f"level{k}"] = level
        arrays[f"counts{k}"] = counts
    if ranking is not None:
        arrays.update(_ranking_arrays(ranking))
    partial = path.with_suffix(".partial.npz")
    with partial.open("wb") as handle:
        np.savez(handle, **arrays)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    return _sha256(path)


def _ranking_arrays(ranking: RankingWeights) -> dict[str, Any]:
    matrix = sp.csr_matrix(ranking.matrix)
    return {
        "ranking_data": matrix.data.astype(np.float64),
        "ranking_indices": matrix.indices.astype(np.int32),
        "ranking_indptr": matrix.indptr.astype(np.int64),
        "ranking_intercept": np.asarray(ranking.intercept, dtype=np.float64),
        "ranking_counts": np.asarray(ranking.counts, dtype=np.float64),
    }


def _ranking_from(data: Any, n: int) -> RankingWeights | None:
    """The stored ranking weights, or None for payloads written before they were kept."""
    if "ranking_intercept" not in data.files:
        return None
    matrix = sp.csr_matrix(
        (data["ranking_data"], data["ranking_indices"], data["ranking_indptr"]), shape=(n, n)
    )
    return RankingWeights(matrix, data["ranking_intercept"], data["ranking_counts"])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_payload(info: ModelInfo) -> AffinityModel:
    """Rebuild the model of a stored version; refuses a file whose checksum does not match."""
    return load_stored(info)[0]


def load_stored(info: ModelInfo) -> tuple[AffinityModel, RankingWeights | None]:
    """The model of a stored version and its ranking weights (None in older payloads)."""
    path = Path(info.payload_path)
    if not path.is_file():
        raise FileNotFoundError(f"model {info.version}: payload file {path} is missing")
    if _sha256(path) != info.payload_sha256:
        raise ValueError(f"model {info.version}: payload file {path} does not match its checksum")
    config = config_from_json(info.params.get("mining", {}))
    with np.load(path, allow_pickle=False) as data:
        levels = sorted(int(name[5:]) for name in data.files if name.startswith("level"))
        itemsets = FrequentItemsets(
            items=tuple(str(s) for s in data["items"]),
            n_baskets=float(data["n_baskets"]),
            item_counts=data["item_counts"],
            levels=tuple(data[f"level{k}"] for k in levels),
            counts=tuple(data[f"counts{k}"] for k in levels),
            weighted=bool(data["weighted"]),
        )
        neighbours = Neighbours(
            indptr=data["nb_indptr"],
            indices=data["nb_indices"],
            cosine=data["nb_cosine"],
            counts=data["nb_counts"],
        )
        upgrades = tuple(UpgradeStep(**u) for u in json.loads(str(data["upgrades"])))
        ranking = _ranking_from(data, len(itemsets.items))
    rules = rule_table(itemsets, config)
    model = AffinityModel.assemble(itemsets, rules, neighbours, upgrades, _summary(info, config))
    return model, ranking


def _summary(info: ModelInfo, config: MiningConfig) -> MiningSummary:
    s = info.summary
    return MiningSummary(
        config=config,
        engine=str(s.get("engine", info.engine)),
        n_orders=int(s.get("n_orders", 0)),
        n_baskets=int(s.get("n_baskets", 0)),
        n_items=int(s.get("n_items", 0)),
        n_frequent_items=int(s.get("n_frequent_items", 0)),
        n_itemsets=int(s.get("n_itemsets", 0)),
        n_rules=int(s.get("n_rules", 0)),
        baskets_capped=int(s.get("baskets_capped", 0)),
        total_weight=float(s.get("total_weight", 0.0)),
        window_start=info.window_start,
        window_end=info.window_end,
        timings=dict(s.get("timings", {})),
    )


class SqlModelStore:
    """`tactful.services.ports.ModelStore` on one SQLAlchemy connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def insert_model(self, info: ModelInfo) -> None:
        return insert_model(self.connection, info)

    def activate(self, version: str) -> None:
        return activate(self.connection, version)

    def active_version(self) -> str | None:
        return active_version(self.connection)

    def get_model(self, version: str) -> ModelInfo | None:
        return get_model(self.connection, version)

    def list_models(self, *, limit: int = 50) -> list[ModelInfo]:
        return list_models(self.connection, limit=limit)


class NpzModelPayloads:
    """`tactful.services.ports.models.ModelPayloads` as .npz files with a checked SHA-256."""

    def save_payload(
        self, model: AffinityModel, path: Path, ranking: RankingWeights | None = None
    ) -> str:
        return save_payload(model, path, ranking)

    def load_stored(self, info: ModelInfo) -> tuple[AffinityModel, RankingWeights | None]:
        return load_stored(info)
