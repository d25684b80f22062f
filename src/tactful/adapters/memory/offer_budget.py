"""`OfferBudget` in memory: the same rules as the SQL adapter, atomic under one lock."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from tactful.domain.offers.situation import budget_day


class MemoryOfferBudget:
    """Spends per customer as {(offer key, day): first spent at}, for one process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._spends: dict[str, dict[tuple[str, date], datetime]] = {}

    def spend(
        self,
        customer_id: str,
        keys: Sequence[str],
        *,
        at: datetime,
        window: timedelta,
        budget: int,
    ) -> frozenset[str]:
        """Spend for `keys` (best first); returns the keys refused (see `OfferBudget`)."""
        day = budget_day(at)
        with self._lock:
            mine = self._spends.setdefault(customer_id, {})
            for spent in [spent for spent, when in mine.items() if when <= at - window]:
                del mine[spent]
            added = [key for key in dict.fromkeys(keys) if (key, day) not in mine]
            room = max(budget - len(mine), 0)
            for key in added[:room]:
                mine[(key, day)] = at
            return frozenset(added[room:])
