"""What happened to each offer: shown, accepted, declined, dismissed, converted, ignored.

An impression is converted when the customer bought the offered SKU within the attribution
window after it (each purchase line credited once, to the latest impression before it); it
is ignored when it got no response and no purchase. Revenue credited is net of refunds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "Conversion",
    "FunnelRow",
    "OfferOutcome",
    "add_funnels",
    "offer_outcomes",
    "sum_outcomes",
]


@dataclass(frozen=True, slots=True)
class FunnelRow:
    """Impressions of one offer (kind, SKU) at one moment, and the responses they got."""

    kind: str
    sku: str
    moment: str
    impressions: int
    responded: int
    accepted: int
    declined: int
    dismissed: int


@dataclass(frozen=True, slots=True)
class Conversion:
    """A purchase line credited to an impression; `responded` whether it got a response."""

    decision_id: str
    offer_id: str
    kind: str
    sku: str
    moment: str
    responded: bool
    net_revenue: int


@dataclass(frozen=True, slots=True)
class OfferOutcome:
    """One offer at one moment, every outcome kept apart."""

    kind: str
    sku: str
    moment: str
    impressions: int
    accepted: int
    declined: int
    dismissed: int
    converted: int
    ignored: int
    net_revenue: int

    @property
    def acceptance_rate(self) -> float | None:
        """Accepted per impression."""
        return self.accepted / self.impressions if self.impressions else None

    @property
    def conversion_rate(self) -> float | None:
        """Converted per impression."""
        return self.converted / self.impressions if self.impressions else None

    @property
    def decline_rate(self) -> float | None:
        """Declined or dismissed per impression."""
        return (self.declined + self.dismissed) / self.impressions if self.impressions else None


def add_funnels(rows: Sequence[FunnelRow]) -> list[FunnelRow]:
    """Funnel rows of disjoint sets of impressions added up per (kind, SKU, moment)."""
    totals: dict[tuple[str, str, str], list[int]] = {}
    for row in rows:
        counts = (row.impressions, row.responded, row.accepted, row.declined, row.dismissed)
        total = totals.setdefault((row.kind, row.sku, row.moment), [0] * len(counts))
        for index, value in enumerate(counts):
            total[index] += value
    return [FunnelRow(*key, *counts) for key, counts in totals.items()]


def offer_outcomes(
    funnel: Sequence[FunnelRow], conversions: Sequence[Conversion]
) -> list[OfferOutcome]:
    """Each funnel row with its converted impressions and credited revenue, busiest first."""
    converted: dict[tuple[str, str, str], set[tuple[str, str]]] = {}
    silent: dict[tuple[str, str, str], set[tuple[str, str]]] = {}
    revenue: dict[tuple[str, str, str], int] = {}
    for item in conversions:
        key = (item.kind, item.sku, item.moment)
        converted.setdefault(key, set()).add((item.decision_id, item.offer_id))
        if not item.responded:
            silent.setdefault(key, set()).add((item.decision_id, item.offer_id))
        revenue[key] = revenue.get(key, 0) + item.net_revenue
    found = []
    for row in funnel:
        key = (row.kind, row.sku, row.moment)
        ignored = row.impressions - row.responded - len(silent.get(key, ()))
        found.append(
            OfferOutcome(
                row.kind,
                row.sku,
                row.moment,
                row.impressions,
                row.accepted,
                row.declined,
                row.dismissed,
                len(converted.get(key, ())),
                max(ignored, 0),
                revenue.get(key, 0),
            )
        )
    return sorted(found, key=lambda o: (-o.impressions, o.kind, o.sku, o.moment))


def sum_outcomes(parts: Sequence[Sequence[OfferOutcome]]) -> list[OfferOutcome]:
    """The outcomes of consecutive sub-spans (daily rollups, raw edges) added up per offer."""
    totals: dict[tuple[str, str, str], list[int]] = {}
    for part in parts:
        for o in part:
            row = totals.setdefault((o.kind, o.sku, o.moment), [0] * 7)
            counts = (o.impressions, o.accepted, o.declined, o.dismissed, o.converted, o.ignored)
            for column, value in enumerate((*counts, o.net_revenue)):
                row[column] += value
    found = [OfferOutcome(*key, *row) for key, row in totals.items()]
    return sorted(found, key=lambda o: (-o.impressions, o.kind, o.sku, o.moment))
