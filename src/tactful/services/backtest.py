"""Backtest offer policies on the stored history: replay every order, summarise, compare.

The history is read through `HistoryReads`, the catalogue through `CatalogSource`; models are
mined in memory from earlier months only. Nothing is written to the database.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from tactful.domain.affinity import MiningConfig
from tactful.domain.backtest.models import MonthlyModels
from tactful.domain.backtest.policy_file import BacktestPolicy
from tactful.domain.backtest.replay import replay
from tactful.domain.backtest.summary import SCREEN_NOTE, Comparison, PolicySummary, summarise
from tactful.services.ports.decisions import CatalogSource
from tactful.services.ports.history import HistoryReads

__all__ = ["SCREEN_NOTE", "BacktestReport", "run_backtest"]


@dataclass(frozen=True)
class BacktestReport:
    """Each policy's replay and the comparisons, labelled as the screen it is."""

    start: datetime
    end: datetime
    orders_replayed: int
    guest_orders: int
    models_mined: int
    seconds: float
    policies: tuple[PolicySummary, ...]
    comparisons: tuple[Comparison, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the JSON file."""
        return {
            "kind": "screen, not proof",
            "note": SCREEN_NOTE,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "orders_replayed": self.orders_replayed,
            "guest_orders_skipped": self.guest_orders,
            "models_mined": self.models_mined,
            "seconds": round(self.seconds, 3),
            "policies": [_policy_dict(summary) for summary in self.policies],
            "comparisons": [
                {**asdict(c), "agreement": c.agreement, "top_agreement": c.top_agreement}
                for c in self.comparisons
            ],
        }


def _policy_dict(summary: PolicySummary) -> dict[str, Any]:
    return {
        **asdict(summary),
        "offer_rate": summary.offer_rate,
        "bought_anyway_rate": summary.bought_anyway_rate,
    }


def run_backtest(
    reads: HistoryReads,
    catalog: CatalogSource,
    policies: Sequence[BacktestPolicy],
    *,
    start: datetime,
    end: datetime,
    mining: MiningConfig | None = None,
) -> BacktestReport:
    """Replay the orders in [start, end) under each policy (models re-mined monthly)."""
    if not policies:
        raise ValueError("--policy: give at least one policy file")
    if start >= end:
        raise ValueError(f"--from {start.date()} must be before --to {end.date()}")
    names = [policy.name for policy in policies]
    if len(set(names)) < len(names):
        raise ValueError(f"policy names must differ, got {names}")
    began = time.perf_counter()
    history = reads.order_history()
    offers = catalog.current()
    models = MonthlyModels.of(history, mining or MiningConfig(), offers.products.values())
    replayed = replay(history, offers, policies, models, start=start, end=end)
    summaries, comparisons = summarise(replayed, history)
    return BacktestReport(
        start=start,
        end=end,
        orders_replayed=replayed.orders_replayed,
        guest_orders=replayed.guest_orders,
        models_mined=replayed.models_mined,
        seconds=time.perf_counter() - began,
        policies=tuple(summaries),
        comparisons=tuple(comparisons),
    )
