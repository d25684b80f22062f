"""Retention by monthly cohort, and upgraders against comparable customers who did not upgrade.

A customer's cohort is the month of their first order; they are retained in month k when they
order in the k-th calendar month after it. Guests (code -1) are left out.

Upgraders are compared order for order: each upgrader's reference is their last order at or
before the upgrade, and its controls are the orders of customers who never upgraded from the
same cohort, in the same calendar month, with the same number of orders so far (1, 2, 3, 4,
5 or more). From each reference order we ask whether the customer ordered again within w days;
an upgrader's control rate is the mean over its stratum, and the comparison averages over
upgraders (the effect on the upgraded). Only orders at least w days before `as_of` count for w.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from tactful.domain.lifetime.history import IntArray, OrderHistory, utc_naive

FloatArray = npt.NDArray[np.float64]
ORDER_COUNT_CAP = 5
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True, eq=False)
class CohortRetention:
    """`retained[c, k]`: customers of cohort c ordering in its k-th month; -1 beyond the data."""

    cohorts: tuple[str, ...]
    sizes: IntArray
    retained: IntArray

    @property
    def rates(self) -> FloatArray:
        """Share retained per cohort and month since the first order; NaN beyond the data."""
        sizes = np.maximum(self.sizes, 1)[:, None]
        return np.where(self.retained >= 0, self.retained / sizes, np.nan)


def monthly_retention(history: OrderHistory, *, as_of: datetime | None = None) -> CohortRetention:
    """Customers retained in each month after their first, by month of first order."""
    known = history.customers >= 0
    customers = history.customers[known]
    months = history.times[known].astype("datetime64[M]").astype(np.int64)
    if customers.size == 0:
        return CohortRetention((), np.zeros(0, np.int64), np.zeros((0, 0), np.int64))
    first = np.full(int(customers.max()) + 1, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, customers, months)
    last_month = _month(as_of) if as_of is not None else int(months.max())
    cohort_months = np.unique(first[first != np.iinfo(np.int64).max])
    row = np.searchsorted(cohort_months, first[customers])
    offset = months - first[customers]
    pairs = np.unique(np.stack([customers, row, offset]), axis=1)
    span = int(last_month - cohort_months.min()) + 1
    retained = np.zeros((cohort_months.size, span), dtype=np.int64)
    np.add.at(retained, (pairs[1], pairs[2]), 1)
    beyond = np.arange(span)[None, :] > (last_month - cohort_months)[:, None]
    retained[beyond] = -1
    return CohortRetention(
        cohorts=tuple(str(np.datetime64(int(m), "M")) for m in cohort_months),
        sizes=retained[:, 0].copy(),
        retained=retained,
    )


@dataclass(frozen=True)
class WindowComparison:
    """Ordering again within `days` of the reference order: upgraders against controls."""

    days: int
    upgraders: int
    upgrader_rate: float | None
    control_rate: float | None

    @property
    def difference(self) -> float | None:
        """Upgraders' rate minus their matched controls' rate."""
        if self.upgrader_rate is None or self.control_rate is None:
            return None
        return self.upgrader_rate - self.control_rate

    @property
    def upgrader_churn(self) -> float | None:
        """Share of upgraders with no order within `days` after upgrading (post-upgrade churn)."""
        return None if self.upgrader_rate is None else 1 - self.upgrader_rate

    @property
    def control_churn(self) -> float | None:
        """The same share for the matched customers who did not upgrade."""
        return None if self.control_rate is None else 1 - self.control_rate


@dataclass(frozen=True)
class UpgraderComparison:
    """How upgraders kept ordering against comparable non-upgraders, per window."""

    upgraders: int
    matched: int
    controls: int
    windows: tuple[WindowComparison, ...]


def compare_upgraders(
    history: OrderHistory,
    upgraded_at: Mapping[int, datetime],
    *,
    as_of: datetime,
    windows: Sequence[int] = (30, 90, 180),
) -> UpgraderComparison:
    """Upgraders (customer code -> first upgrade) against matched orders of non-upgraders."""
    if history.size == 0:
        empty = tuple(WindowComparison(int(days), 0, None, None) for days in sorted(set(windows)))
        return UpgraderComparison(len(upgraded_at), 0, 0, empty)
    frame = _order_frame(history)
    upgraded = np.zeros(len(history.customer_ids) + 1, dtype=bool)
    references = []
    for code, moment in upgraded_at.items():
        upgraded[code] = True
        reference = _reference_order(frame, code, np.datetime64(utc_naive(moment), "s"))
        if reference is not None:
            references.append(reference)
    chosen = np.asarray(references, dtype=np.int64)
    controls = np.flatnonzero((frame.customers >= 0) & ~upgraded[frame.customers])
    stratum_of_ref = frame.strata[chosen]
    in_stratum = np.isin(frame.strata[controls], stratum_of_ref)
    matched = np.isin(stratum_of_ref, frame.strata[controls])
    end = np.datetime64(utc_naive(as_of), "s")
    results = tuple(
        _window(frame, chosen, controls, int(days), end) for days in sorted(set(windows))
    )
    return UpgraderComparison(
        upgraders=len(upgraded_at),
        matched=int(np.count_nonzero(matched)),
        controls=int(np.unique(frame.customers[controls[in_stratum]]).size),
        windows=results,
    )


@dataclass(frozen=True, eq=False)
class _Frame:
    customers: IntArray
    times: npt.NDArray[np.datetime64]
    strata: IntArray
    gap_days: FloatArray


def _order_frame(history: OrderHistory) -> _Frame:
    """Per order: its stratum (cohort, month, orders so far) and days until the next order."""
    customers, times = history.customers, history.times
    by_customer = np.lexsort((np.arange(customers.size), customers))
    sorted_customers = customers[by_customer]
    starts = np.ones(customers.size, dtype=bool)
    starts[1:] = sorted_customers[1:] != sorted_customers[:-1]
    group_start = np.maximum.accumulate(np.where(starts, np.arange(customers.size), 0))
    ordinal = np.empty(customers.size, dtype=np.int64)
    ordinal[by_customer] = np.arange(customers.size) - group_start + 1
    first_time = np.empty(customers.size, dtype="datetime64[s]")
    first_time[by_customer] = times[by_customer][group_start]
    gap = np.full(customers.size, np.inf)
    same_next = np.append(~starts[1:], False)
    following = by_customer[np.flatnonzero(same_next) + 1]
    delta = (times[following] - times[by_customer[same_next]]).astype(np.int64)
    gap[by_customer[same_next]] = delta / SECONDS_PER_DAY
    months = times.astype("datetime64[M]").astype(np.int64)
    cohort = first_time.astype("datetime64[M]").astype(np.int64)
    bucket = np.minimum(ordinal, ORDER_COUNT_CAP)
    strata = (cohort * 100_000 + months) * 10 + bucket
    return _Frame(customers, times, strata, gap)


def _reference_order(frame: _Frame, code: int, moment: np.datetime64) -> int | None:
    """The customer's last order at or before the upgrade (its first order if all are later)."""
    own = np.flatnonzero(frame.customers == code)
    if own.size == 0:
        return None
    before = own[frame.times[own] <= moment]
    return int(before[-1]) if before.size else int(own[0])


def _window(
    frame: _Frame, chosen: IntArray, controls: IntArray, days: int, end: np.datetime64
) -> WindowComparison:
    horizon = np.timedelta64(days * SECONDS_PER_DAY, "s")
    chosen = chosen[frame.times[chosen] + horizon <= end]
    controls = controls[frame.times[controls] + horizon <= end]
    if chosen.size == 0:
        return WindowComparison(days, 0, None, None)
    upgrader_rate = float(np.mean(frame.gap_days[chosen] <= days))
    if controls.size == 0:
        return WindowComparison(days, int(chosen.size), upgrader_rate, None)
    keys, inverse = np.unique(frame.strata[controls], return_inverse=True)
    repeat = np.bincount(inverse, weights=frame.gap_days[controls] <= days, minlength=keys.size)
    totals = np.bincount(inverse, minlength=keys.size)
    where = np.searchsorted(keys, frame.strata[chosen])
    found = (where < keys.size) & (keys[np.minimum(where, keys.size - 1)] == frame.strata[chosen])
    if not np.any(found):
        return WindowComparison(days, int(chosen.size), upgrader_rate, None)
    control_rates = repeat[where[found]] / totals[where[found]]
    return WindowComparison(
        days,
        int(np.count_nonzero(found)),
        float(np.mean(frame.gap_days[chosen[found]] <= days)),
        float(np.mean(control_rates)),
    )


def _month(moment: datetime) -> int:
    return int(np.datetime64(utc_naive(moment), "M").astype(np.int64))
