"""Storage of mined model versions, which one is active, and their payloads."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from tactful.domain.affinity import AffinityModel
from tactful.domain.affinity.ranking import RankingWeights
from tactful.domain.model_versions import ModelInfo


class ModelStore(Protocol):
    """Reads and writes mined model versions and which one is active within one transaction.

    Each method has the name and parameters of the function it wraps in
    `tactful.adapters.db.repositories.models`, less the leading connection.
    """

    def insert_model(self, info: ModelInfo) -> None:
        """Store a version's row (its payload must already be saved)."""
        ...

    def activate(self, version: str) -> None:
        """Make `version` the one active model; LookupError when it is unknown."""
        ...

    def active_version(self) -> str | None:
        """The active version's id: cheap enough to poll."""
        ...

    def get_model(self, version: str) -> ModelInfo | None:
        """One version's row."""
        ...

    def list_models(self, *, limit: int = 50) -> list[ModelInfo]:
        """Newest versions first."""
        ...


class ModelPayloads(Protocol):
    """Where a version's mined arrays are kept (files beside the database, not rows)."""

    def save_payload(
        self, model: AffinityModel, path: Path, ranking: RankingWeights | None = None
    ) -> str:
        """Write the model's arrays (and ranking weights); returns their SHA-256."""
        ...

    def load_stored(self, info: ModelInfo) -> tuple[AffinityModel, RankingWeights | None]:
        """The model of a stored version and its ranking weights; refuses a changed payload."""
        ...
