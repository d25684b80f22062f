"""Storage of decisions, impressions and responses to offers."""

from __future__ import annotations

from typing import Protocol


class OfferLog(Protocol):
    """Reads and writes decisions, impressions and responses to offers within one transaction.

    Each method has the name and parameters of the function it wraps in
    `tactful.adapters.db.repositories.offers`, less the leading connection.
    """
