"""What the merchant dashboard reads: aggregates over the decision, offer and order logs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from typing import Any, Protocol

from tactful.domain.dashboard import CustomerOutcomes, Period
from tactful.domain.offers.trace_log import LoggedCandidate


@dataclass(frozen=True)
class DailyActivity:
    """One day's decisions, offers shown and answers, and revenue of paid offer lines."""

    day: date
    decisions: int
    held_out: int
    impressions: int
    accepted: int
    declined: int
    offer_revenue: int


@dataclass(frozen=True)
class OfferStats:
    """One offered item in one moment: how often it was shown, answered, paid and refunded."""

    sku: str
    name: str
    kind: str
    moment: str
    impressions: int
    accepted: int
    declined: int
    dismissed: int
    paid: int
    revenue: int
    refunded: int
    """What refunds gave back of the paid lines' revenue (minor units)."""
    refunded_lines: int
    """Paid offer lines refunded, in full or by line (`adapters/db/offer_refunds.py`)."""

    @property
    def acceptance(self) -> float | None:
        """Accepted per impression."""
        return self.accepted / self.impressions if self.impressions else None

    @property
    def decline_rate(self) -> float | None:
        """Declined or dismissed per impression."""
        return (self.declined + self.dismissed) / self.impressions if self.impressions else None

    @property
    def conversion(self) -> float | None:
        """Paid offer lines per impression."""
        return self.paid / self.impressions if self.impressions else None

    @property
    def net_revenue(self) -> int:
        """Revenue of paid offer lines less their refunds (minor units)."""
        return self.revenue - self.refunded


OFFER_COUNTS = (
    "impressions",
    "accepted",
    "declined",
    "dismissed",
    "paid",
    "revenue",
    "refunded",
    "refunded_lines",
)
"""The figures of `OfferStats` that add up over days, in field order: what
`merge_offer_stats` sums and the offer rollup's columns."""


def merge_offer_stats(parts: Iterable[OfferStats]) -> list[OfferStats]:
    """Figures of the same item, kind and moment added up (days into a period), most shown
    first."""
    merged: dict[tuple[str, str, str], OfferStats] = {}
    for stats in parts:
        key = (stats.sku, stats.kind, stats.moment)
        seen = merged.get(key)
        if seen is None:
            merged[key] = stats
            continue
        sums = {name: getattr(seen, name) + getattr(stats, name) for name in OFFER_COUNTS}
        merged[key] = replace(seen, **sums)
    return sorted(merged.values(), key=lambda s: (-s.impressions, s.sku, s.kind, s.moment))


def merge_activity(parts: Iterable[DailyActivity]) -> list[DailyActivity]:
    """Activity of the same day added up (a day split between rollups and the raw log)."""
    merged: dict[date, DailyActivity] = {}
    for activity in parts:
        seen = merged.get(activity.day)
        if seen is None:
            merged[activity.day] = activity
            continue
        counts = [f.name for f in fields(DailyActivity) if f.name != "day"]
        merged[activity.day] = replace(
            seen, **{name: getattr(seen, name) + getattr(activity, name) for name in counts}
        )
    return [merged[day] for day in sorted(merged)]


@dataclass(frozen=True)
class ShownOffer:
    """An offer of a decision and every answer given to it."""

    offer_id: str
    sku: str
    kind: str
    format: str
    price: int
    currency: str
    relevance: float | None
    responses: tuple[str, ...]


@dataclass(frozen=True)
class DecisionSummary:
    """One logged decision and the offers it showed."""

    decision_id: str
    customer_id: str
    moment: str
    channel: str | None
    at: datetime
    held_out: bool
    model_version: str | None
    cart: Any
    offers: tuple[ShownOffer, ...]
    trace: tuple[LoggedCandidate, ...] | None = None
    """Every candidate and why it was kept or dropped; None when the log did not keep it
    (decisions logged before it did, and lists of decisions, which do not read it)."""
    names: Mapping[str, str] = field(default_factory=dict)
    """The catalogue names of the items the trace and offers mention (a single decision's
    page reads them; lists of decisions do not)."""


class DashboardReports(Protocol):
    """Read-only aggregates for the dashboard; every money figure in minor units."""

    def outcomes(self, period: Period) -> CustomerOutcomes:
        """Customers with a decision in the period and their net orders from then on."""
        ...

    def daily(self, period: Period) -> list[DailyActivity]:
        """Activity per UTC day with any decision in the period, oldest first."""
        ...

    def offer_stats(self, period: Period) -> list[OfferStats]:
        """Per offered SKU, kind and moment, for decisions in the period (the days'
        figures of `offer_stats_by_day` added up)."""
        ...

    def offer_stats_by_day(self, period: Period) -> list[tuple[date, OfferStats]]:
        """The same per UTC day of the decision."""
        ...

    def recent_decisions(
        self, limit: int, *, before: datetime | None = None
    ) -> list[DecisionSummary]:
        """The newest decisions (before `before`, if given), newest first."""
        ...

    def decision(self, decision_id: str) -> DecisionSummary | None:
        """One decision by id, or None."""
        ...

    def currency(self) -> str:
        """The currency most orders are in (GBP when there are none)."""
        ...

    def time_span(self) -> tuple[datetime, datetime] | None:
        """The first and last decision's time, or None when none is logged."""
        ...


class DashboardRollups(Protocol):
    """The dashboard's figures per whole UTC day, built from `DashboardReports` by the
    nightly job (services/rollups.py), for the days `MeasurementRollups.rolled_range` holds."""

    def rolled_range(self) -> tuple[date, date] | None:
        """The days the rollups hold, or None before the first build."""
        ...

    def rolled_activity(self, *, first_day: date, end_day: date) -> list[DailyActivity]:
        """Each day's activity."""
        ...

    def rolled_offer_stats(self, *, first_day: date, end_day: date) -> list[OfferStats]:
        """Each offered item's figures over those days, added up."""
        ...


class StoredFigures(Protocol):
    """Figures a page shows, as last computed (by the worker, or a view that had to compute
    them), under a key naming the page, period and segment; shared by every process."""

    def load(self, key: str) -> tuple[datetime, Any] | None:
        """(computed at, figures) under `key`, or None (never stored, or unreadable now)."""
        ...

    def computed_at(self, key: str) -> datetime | None:
        """When the figures under `key` were computed (without reading them), or None."""
        ...

    def save(self, key: str, figures: Any, *, computed_at: datetime) -> None:
        """Keep `figures` under `key`, replacing what was there."""
        ...

    def forget_before(self, moment: datetime) -> int:
        """Drop figures computed before `moment` (periods no page asks for any more)."""
        ...


class BacktestArchive(Protocol):
    """Saved backtest results (the JSON `tactful backtest` writes), newest first."""

    def results(self) -> list[tuple[str, dict[str, Any]]]:
        """(name, report) of every saved backtest; unreadable files are skipped."""
        ...
