"""What the merchant dashboard reads: aggregates over the decision, offer and order logs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from tactful.domain.dashboard import CustomerOutcomes, Period


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


class DashboardReports(Protocol):
    """Read-only aggregates for the dashboard; every money figure in minor units."""

    def outcomes(self, period: Period) -> CustomerOutcomes:
        """Customers with a decision in the period and their net orders from then on."""
        ...

    def daily(self, period: Period) -> list[DailyActivity]:
        """Activity per UTC day with any decision in the period, oldest first."""
        ...

    def offer_stats(self, period: Period) -> list[OfferStats]:
        """Per offered SKU, kind and moment, for decisions in the period."""
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


class BacktestArchive(Protocol):
    """Saved backtest results (the JSON `tactful backtest` writes), newest first."""

    def results(self) -> list[tuple[str, dict[str, Any]]]:
        """(name, report) of every saved backtest; unreadable files are skipped."""
        ...
