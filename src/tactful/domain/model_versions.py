"""A stored model version as the API and CLI show it, and the JSON forms it keeps."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from tactful.domain.affinity import Level, MiningConfig, MiningSummary


@dataclass(frozen=True)
class ModelInfo:
    """One stored model version as the API and CLI show it."""

    version: str
    created_at: datetime
    status: str
    engine: str
    params: dict[str, Any]
    window_start: datetime | None
    window_end: datetime | None
    summary: dict[str, Any]
    payload_path: str
    payload_sha256: str

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (timestamps as ISO 8601)."""
        body = asdict(self)
        for key in ("created_at", "window_start", "window_end"):
            value = body[key]
            body[key] = value.isoformat() if value is not None else None
        body.pop("payload_path")
        return body


def config_to_json(config: MiningConfig) -> dict[str, Any]:
    """Mining parameters as JSON."""
    body = asdict(config)
    body["level"] = str(config.level)
    return body


def config_from_json(body: dict[str, Any]) -> MiningConfig:
    """Mining parameters back from JSON (unknown keys from newer versions are ignored)."""
    known = {k: v for k, v in body.items() if k in MiningConfig.__dataclass_fields__}
    if "level" in known:
        known["level"] = Level(known["level"])
    return MiningConfig(**known)


def summary_to_json(summary: MiningSummary) -> dict[str, Any]:
    """The mining summary as JSON (its config is stored separately as params)."""
    body = {k: v for k, v in asdict(summary).items() if k != "config"}
    for key in ("window_start", "window_end"):
        value = body[key]
        body[key] = value.isoformat() if value is not None else None
    body["timings"] = {k: round(float(v), 6) for k, v in summary.timings.items()}
    return body
