"""Tables for decisions, offer impressions and responses."""

from __future__ import annotations

from tactful.adapters.db.tables import metadata

__all__ = ["metadata"]
