"""Cohort retention and upgraders against comparable non-upgraders, from the stored history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from tactful.domain.lifetime.cohorts import (
    CohortRetention,
    UpgraderComparison,
    compare_upgraders,
    monthly_retention,
)
from tactful.domain.lifetime.history import OrderHistory, Upgrade, utc_naive
from tactful.services.ports.history import HistoryReads

__all__ = ["CohortReport", "cohort_report", "first_upgrades"]


@dataclass(frozen=True, eq=False)
class CohortReport:
    """Monthly cohorts and the upgrader comparison over one span of the history."""

    as_of: datetime
    customers: int
    retention: CohortRetention
    upgraders: UpgraderComparison

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON: rates rounded to 4 places, None beyond the data."""
        rates = self.retention.rates
        return {
            "as_of": self.as_of.isoformat(),
            "customers": self.customers,
            "cohorts": [
                {
                    "cohort": label,
                    "customers": int(self.retention.sizes[row]),
                    "retention": [
                        None if np.isnan(rate) else round(float(rate), 4) for rate in rates[row]
                    ],
                }
                for row, label in enumerate(self.retention.cohorts)
            ],
            "upgraders": {
                "upgraders": self.upgraders.upgraders,
                "matched": self.upgraders.matched,
                "controls": self.upgraders.controls,
                "windows": [
                    {
                        "days": w.days,
                        "upgraders": w.upgraders,
                        "upgrader_repeat_rate": w.upgrader_rate,
                        "control_repeat_rate": w.control_rate,
                        "difference": w.difference,
                        "upgrader_churn": w.upgrader_churn,
                        "control_churn": w.control_churn,
                    }
                    for w in self.upgraders.windows
                ],
            },
        }


def _end_of(history: OrderHistory) -> datetime:
    """Just after the last order (the epoch for an empty history)."""
    last = history.times[-1] if history.size else np.datetime64(0, "s")
    seconds = int(last.astype("datetime64[s]").astype(np.int64)) + 1
    return datetime.fromtimestamp(seconds, tz=UTC)


def first_upgrades(history: OrderHistory, upgrades: Sequence[Upgrade]) -> dict[int, datetime]:
    """Each customer code's first upgrade, for customers with orders in `history`."""
    codes = {customer: code for code, customer in enumerate(history.customer_ids)}
    first: dict[int, datetime] = {}
    for upgrade in upgrades:
        code = codes.get(upgrade.customer_id)
        at = utc_naive(upgrade.at)
        if code is not None and (code not in first or at < first[code]):
            first[code] = at
    return first


def cohort_report(
    reads: HistoryReads,
    *,
    as_of: datetime | None = None,
    since: datetime | None = None,
    windows: Sequence[int] = (30, 90, 180),
) -> CohortReport:
    """Cohorts and upgraders over the orders in [since, as_of); as_of defaults to the last order.

    A window counts only orders placed at least that long before `as_of`, so the default (the
    end of the data) never mistakes the end of the history for customers leaving.
    """
    if any(days <= 0 for days in windows):
        raise ValueError("windows must be positive numbers of days")
    history = reads.order_history(since=since, until=as_of)
    if as_of is None:
        as_of = _end_of(history)
    upgraded = {
        code: at
        for code, at in first_upgrades(history, reads.upgrades()).items()
        if at < utc_naive(as_of)
    }
    return CohortReport(
        as_of=as_of,
        customers=len(history.customer_ids),
        retention=monthly_retention(history, as_of=as_of),
        upgraders=compare_upgraders(history, upgraded, as_of=as_of, windows=windows),
    )
