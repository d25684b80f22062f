"""`tactful.services.ports.ModelStore` and `ModelPayloads` in memory."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tactful.adapters.memory._common import utc
from tactful.domain.affinity import AffinityModel
from tactful.domain.affinity.ranking import RankingWeights
from tactful.domain.model_versions import ModelInfo

if TYPE_CHECKING:
    from tactful.adapters.memory.database import MemoryState


@dataclass
class ModelData:
    """What the models store holds: each version's row by version."""

    models: dict[str, ModelInfo] = field(default_factory=dict)


class MemoryModelStore:
    """`tactful.services.ports.ModelStore` over a memory transaction's working state."""

    def __init__(self, state: MemoryState) -> None:
        self.data = state.models

    def insert_model(self, info: ModelInfo) -> None:
        if info.version in self.data.models:
            raise ValueError(f"model version {info.version!r} is stored already")
        start, end = info.window_start, info.window_end
        self.data.models[info.version] = replace(
            info,
            created_at=utc(info.created_at),
            window_start=None if start is None else utc(start),
            window_end=None if end is None else utc(end),
        )

    def activate(self, version: str) -> None:
        if version not in self.data.models:
            raise LookupError(f"version: no model version {version!r}")
        for name, info in self.data.models.items():
            status = "active" if name == version else "inactive"
            if info.status == "active" or name == version:
                self.data.models[name] = replace(info, status=status)

    def active_version(self) -> str | None:
        active = (v for v, info in self.data.models.items() if info.status == "active")
        return next(active, None)

    def get_model(self, version: str) -> ModelInfo | None:
        return self.data.models.get(version)

    def list_models(self, *, limit: int = 50) -> list[ModelInfo]:
        newest = sorted(self.data.models.values(), key=lambda i: i.created_at, reverse=True)
        return newest[:limit]


class MemoryModelPayloads:
    """`tactful.services.ports.models.ModelPayloads` held in a dict by path."""

    def __init__(self) -> None:
        self.payloads: dict[str, tuple[AffinityModel, RankingWeights | None]] = {}

    def save_payload(
        self, model: AffinityModel, path: Path, ranking: RankingWeights | None = None
    ) -> str:
        key = str(path.resolve())
        self.payloads[key] = (model, ranking)
        return hashlib.sha256(key.encode()).hexdigest()

    def load_stored(self, info: ModelInfo) -> tuple[AffinityModel, RankingWeights | None]:
        found = self.payloads.get(info.payload_path)
        if found is None:
            raise FileNotFoundError(f"model {info.version}: payload {info.payload_path} is missing")
        return found
