"""Trigger rules that need more than a query: browsing streaks and upcoming renewals (pure).

`browsed` fires on the view that makes `k` views of related items (the same category, or the
same product when it has none) within a span; `renewal_upcoming` fires `lead` before a
subscription renews, the renewal being one billing period after its latest purchase.
"""

from __future__ import annotations

import calendar
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

_PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}


@dataclass(frozen=True, slots=True)
class View:
    """One product view by a customer; `group` is what makes views related (category or sku)."""

    customer_id: str
    event_id: str
    at: datetime
    group: str


@dataclass(frozen=True, slots=True)
class Purchase:
    """A subscription bought (or renewed) in an order, with its billing period."""

    customer_id: str
    order_id: str
    sku: str
    at: datetime
    period: str


@dataclass(frozen=True, slots=True)
class Renewal:
    """When a customer's subscription renews next; `key` names the purchase it comes from."""

    customer_id: str
    key: str
    renews_at: datetime


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus calendar months, the day clamped to the month's end (31 Jan + 1 = 28 Feb)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def renewal_after(purchased: datetime, period: str) -> datetime:
    """When a subscription bought at `purchased` renews: one billing period later."""
    if period == "week":
        return purchased + timedelta(days=7)
    if period not in _PERIOD_MONTHS:
        raise ValueError(f"unknown billing period {period!r}")
    return add_months(purchased, _PERIOD_MONTHS[period])


def next_renewals(purchases: Iterable[Purchase]) -> list[Renewal]:
    """One renewal per (customer, subscription): a period after its latest purchase."""
    latest: dict[tuple[str, str], Purchase] = {}
    for purchase in purchases:
        key = (purchase.customer_id, purchase.sku)
        known = latest.get(key)
        if known is None or (purchase.at, purchase.order_id) > (known.at, known.order_id):
            latest[key] = purchase
    return [
        Renewal(p.customer_id, f"{p.order_id}:{p.sku}", renewal_after(p.at, p.period))
        for p in latest.values()
        if p.period == "week" or p.period in _PERIOD_MONTHS
    ]


def renewals_due(
    renewals: Iterable[Renewal], lead: timedelta, since: datetime, until: datetime
) -> dict[str, tuple[Renewal, datetime]]:
    """Per customer, the earliest renewal whose notice (`renews_at - lead`) is in (since, until]."""
    due: dict[str, tuple[Renewal, datetime]] = {}
    for renewal in renewals:
        notice = renewal.renews_at - lead
        if not since < notice <= until:
            continue
        known = due.get(renewal.customer_id)
        if known is None or (notice, renewal.key) < (known[1], known[0].key):
            due[renewal.customer_id] = (renewal, notice)
    return due


def browse_streaks(views: Iterable[View], k: int, within: timedelta) -> list[View]:
    """Every view that completes `k` views of one group by one customer within `within`.

    A view counts the views of the same customer and group in (at - within, at], itself included.
    """
    ordered = sorted(views, key=lambda v: (v.customer_id, v.group, v.at, v.event_id))
    recent: dict[tuple[str, str], deque[datetime]] = defaultdict(deque)
    hits = []
    for view in ordered:
        window = recent[(view.customer_id, view.group)]
        window.append(view.at)
        while window and window[0] <= view.at - within:
            window.popleft()
        if len(window) >= k:
            hits.append(view)
    return hits


def first_browse_hits(
    views: Iterable[View], k: int, within: timedelta, since: datetime
) -> dict[str, View]:
    """Per customer, the earliest view after `since` that completes a streak of `k`."""
    first: dict[str, View] = {}
    for view in browse_streaks(views, k, within):
        if view.at <= since:
            continue
        known = first.get(view.customer_id)
        if known is None or (view.at, view.event_id) < (known.at, known.event_id):
            first[view.customer_id] = view
    return first
