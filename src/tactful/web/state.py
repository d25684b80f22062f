"""What the app holds for its requests: settings and the database engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from tactful.settings import Settings


@dataclass
class AppState:
    """Shared, long-lived objects; `extras` lets later parts hang their services here."""

    settings: Settings
    engine: Engine
    extras: dict[str, Any] = field(default_factory=dict)
