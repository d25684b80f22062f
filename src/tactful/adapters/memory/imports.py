"""`tactful.services.ports.ImportLog` in memory."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tactful.adapters.memory.database import MemoryState


@dataclass
class ImportData:
    """What the imports store holds: one entry per logged import, in the order logged."""

    log: list[dict[str, Any]] = field(default_factory=list)


class MemoryImportLog:
    """`tactful.services.ports.ImportLog` over a memory transaction's working state."""

    def __init__(self, state: MemoryState) -> None:
        self.state = state

    def record_import(
        self,
        *,
        import_id: str,
        path: str,
        fmt: str,
        sha256: str,
        started_at: datetime,
        finished_at: datetime,
        summary: dict[str, Any],
    ) -> None:
        if any(entry["import_id"] == import_id for entry in self.state.imports.log):
            raise ValueError(f"import {import_id!r} is logged already")
        self.state.imports.log.append(
            {
                "import_id": import_id,
                "path": path,
                "format": fmt,
                "sha256": sha256,
                "started_at": started_at,
                "finished_at": finished_at,
                "summary": copy.deepcopy(summary),
            }
        )

    def recent_imports(self, limit: int = 20) -> list[dict[str, Any]]:
        newest = sorted(self.state.imports.log, key=lambda entry: entry["started_at"], reverse=True)
        return copy.deepcopy(newest[:limit])

    def was_imported(self, sha256: str, fmt: str) -> bool:
        return any(
            entry["sha256"] == sha256 and entry["format"] == fmt for entry in self.state.imports.log
        )

    def prepare_bulk_write(self) -> None:
        """Nothing to tune in memory."""
