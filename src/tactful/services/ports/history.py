"""The whole stored order history at once, for analyses that replay it (cohorts, backtests)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from tactful.domain.lifetime.history import OrderHistory, Upgrade


class HistoryReads(Protocol):
    """Bulk reads of the stored history, oldest first, outside the decision path."""

    def order_history(
        self, *, since: datetime | None = None, until: datetime | None = None
    ) -> OrderHistory:
        """Every order created in [since, until), oldest first, with its SKUs and total."""
        ...

    def upgrades(self) -> list[Upgrade]:
        """Every accepted upsell: offer_accepted events of kind upsell and upsell order lines."""
        ...
