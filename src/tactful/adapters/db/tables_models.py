"""Tables for mined model versions."""

from __future__ import annotations

from tactful.adapters.db.tables import metadata

__all__ = ["metadata"]
