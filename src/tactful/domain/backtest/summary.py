"""What a replay says per policy, and how two policies differ on the same orders."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from tactful.domain.backtest.replay import PolicyRun, Replay
from tactful.domain.lifetime.history import OrderHistory

SCREEN_NOTE = (
    "A screen, not a proof: these offers were never shown, so the replay cannot say what they "
    "would have changed. 'Bought anyway' counts offers for items the customer bought within "
    "the window regardless (revenue an offer could only have claimed, not caused)."
)
WEEK_SECONDS = 7 * 86_400
MONDAY_OFFSET = 4 * 86_400  # 1970-01-01 was a Thursday


@dataclass(frozen=True)
class WeeklyLoad:
    """Offers per customer per week, over the customer-weeks with at least one decision."""

    customer_weeks: int
    mean: float
    p95: float
    max: int
    over_budget: int


@dataclass(frozen=True)
class PolicySummary:
    """One policy's replay in numbers."""

    name: str
    moment: str
    window_days: float
    decisions: int
    held_out: int
    decisions_with_offers: int
    offers: int
    offers_by_kind: dict[str, int]
    observable_offers: int
    bought_anyway: int
    weekly: WeeklyLoad

    @property
    def bought_anyway_rate(self) -> float | None:
        """Share of observable offers whose item was bought within the window anyway."""
        return self.bought_anyway / self.observable_offers if self.observable_offers else None

    @property
    def offer_rate(self) -> float | None:
        """Share of decisions that showed at least one offer."""
        return self.decisions_with_offers / self.decisions if self.decisions else None


@dataclass(frozen=True)
class Comparison:
    """Two policies on the same decisions: how often they agree, and where they differ."""

    first: str
    second: str
    decisions: int
    both_offered: int
    only_first: int
    only_second: int
    same_offers: int
    same_top_offer: int

    @property
    def agreement(self) -> float | None:
        """Share of decisions where both showed exactly the same SKUs (none counts as same)."""
        return self.same_offers / self.decisions if self.decisions else None

    @property
    def top_agreement(self) -> float | None:
        """Share of decisions where both put the same SKU first (or both showed nothing)."""
        return self.same_top_offer / self.decisions if self.decisions else None


def summarise_run(run: PolicyRun, history: OrderHistory) -> PolicySummary:
    """The numbers of one policy's run."""
    bought = np.asarray(run.bought_anyway, dtype=bool)
    observable = np.asarray(run.observable, dtype=bool)
    return PolicySummary(
        name=run.policy.name,
        moment=run.policy.moment.value,
        window_days=run.policy.window.total_seconds() / 86_400,
        decisions=run.decisions,
        held_out=run.held_out,
        decisions_with_offers=len(set(run.offer_orders)),
        offers=len(run.offer_skus),
        offers_by_kind=dict(sorted(Counter(run.offer_kinds).items())),
        observable_offers=int(np.count_nonzero(observable)),
        bought_anyway=int(np.count_nonzero(bought & observable)),
        weekly=_weekly(run, history),
    )


def _weekly(run: PolicyRun, history: OrderHistory) -> WeeklyLoad:
    decided = np.asarray(run.decision_orders, dtype=np.int64)
    if decided.size == 0:
        return WeeklyLoad(0, 0.0, 0.0, 0, 0)
    n_weeks = 1 << 20

    def keys(orders: np.ndarray) -> np.ndarray:
        seconds = history.times[orders].astype(np.int64) + MONDAY_OFFSET
        return np.asarray(history.customers[orders] * n_weeks + seconds // WEEK_SECONDS)

    weeks = np.unique(keys(decided))
    counts = np.zeros(weeks.size, dtype=np.int64)
    offered = np.asarray(run.offer_orders, dtype=np.int64)
    if offered.size:
        spent = _budget_spends(keys(offered), history.times[offered], run.offer_skus)
        np.add.at(counts, np.searchsorted(weeks, spent), 1)
    budget = run.policy.policy.budget
    return WeeklyLoad(
        customer_weeks=int(weeks.size),
        mean=float(counts.mean()),
        p95=float(np.percentile(counts, 95)),
        max=int(counts.max()),
        over_budget=int(np.count_nonzero(counts > budget)),
    )


def _budget_spends(week_keys: np.ndarray, times: np.ndarray, skus: list[str]) -> np.ndarray:
    """The customer-week of each offer that spent budget: as in the engine, showing the same
    offer again on the same day spends nothing."""
    days = times.astype(np.int64) // 86_400
    seen: set[tuple[int, int, str]] = set()
    spent: list[int] = []
    for week, day, sku in zip(week_keys.tolist(), days.tolist(), skus, strict=True):
        if (week, day, sku) not in seen:
            seen.add((week, day, sku))
            spent.append(week)
    return np.asarray(spent, dtype=np.int64)


def compare_runs(first: PolicyRun, second: PolicyRun) -> Comparison:
    """Decision by decision (same orders), what the two policies showed."""
    first_offers, second_offers = _offers_by_order(first), _offers_by_order(second)
    decided = set(first.decision_orders) & set(second.decision_orders)
    both = sum(1 for o in decided if o in first_offers and o in second_offers)
    only_first = sum(1 for o in decided if o in first_offers and o not in second_offers)
    only_second = sum(1 for o in decided if o in second_offers and o not in first_offers)
    same = sum(1 for o in decided if set(first_offers.get(o, ())) == set(second_offers.get(o, ())))
    same_top = sum(
        1 for o in decided if first_offers.get(o, ("",))[0] == second_offers.get(o, ("",))[0]
    )
    return Comparison(
        first.policy.name,
        second.policy.name,
        len(decided),
        both,
        only_first,
        only_second,
        same,
        same_top,
    )


def _offers_by_order(run: PolicyRun) -> dict[int, tuple[str, ...]]:
    """Each decision's offers, best first."""
    found: dict[int, list[str]] = {}
    for order, sku in zip(run.offer_orders, run.offer_skus, strict=True):
        found.setdefault(order, []).append(sku)
    return {order: tuple(skus) for order, skus in found.items()}


def summarise(
    replayed: Replay, history: OrderHistory
) -> tuple[list[PolicySummary], list[Comparison]]:
    """Every policy's summary, and each later policy compared with the first."""
    summaries = [summarise_run(run, history) for run in replayed.runs]
    base, *others = replayed.runs
    return summaries, [compare_runs(base, other) for other in others]
