"""What the merchant dashboard shows, as plain values, and the small statistics behind it.

Incremental revenue compares customers who could see offers (treated) with the global holdout:
each customer's net revenue from their first decision on, a Welch interval on the difference of
means, scaled by the treated customers. The daily series repeats that on the data up to each day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
import numpy.typing as npt

from tactful.domain.measurement import Exposure, OrderTotal
from tactful.domain.measurement.distributions import chi2_sf, t_ppf

FloatArray = npt.NDArray[np.float64]
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Period:
    """A half-open span of time [since, until) the reports cover."""

    since: datetime
    until: datetime


@dataclass(frozen=True, eq=False)
class CustomerOutcomes:
    """Per customer with a decision: held out or not, the day of the first decision, and every
    net order value after it (`order_customer` indexes the customer arrays)."""

    held_out: npt.NDArray[np.bool_]
    first_day: npt.NDArray[np.int64]
    order_customer: npt.NDArray[np.int64]
    order_day: npt.NDArray[np.int64]
    order_value: npt.NDArray[np.int64]
    currency: str


@dataclass(frozen=True)
class Lift:
    """Treated minus held out, per customer, with a 95% interval; None when it cannot be told."""

    treated: int
    held_out: int
    treated_mean: float | None
    held_out_mean: float | None
    difference: float | None
    ci_low: float | None
    ci_high: float | None

    @property
    def known(self) -> bool:
        """Both arms have at least two customers: the interval exists."""
        return self.ci_low is not None

    def incremental(self) -> tuple[float, float, float] | None:
        """Incremental revenue (estimate, low, high): lift per customer times treated customers."""
        if self.difference is None or self.ci_low is None or self.ci_high is None:
            return None
        n = self.treated
        return self.difference * n, self.ci_low * n, self.ci_high * n


@dataclass(frozen=True)
class DayPoint:
    """Cumulative incremental revenue up to the end of one day, with its interval."""

    day: date
    estimate: float
    ci_low: float
    ci_high: float


def welch(n1: int, sum1: float, squares1: float, n2: int, sum2: float, squares2: float) -> Lift:
    """Welch's difference of means (arm 1 minus arm 2) from sufficient statistics."""
    if n1 == 0 or n2 == 0:
        return Lift(n1, n2, sum1 / n1 if n1 else None, sum2 / n2 if n2 else None, None, None, None)
    mean1, mean2 = sum1 / n1, sum2 / n2
    diff = mean1 - mean2
    if n1 < 2 or n2 < 2:
        return Lift(n1, n2, mean1, mean2, diff, None, None)
    var1 = max(squares1 - n1 * mean1 * mean1, 0.0) / (n1 - 1)
    var2 = max(squares2 - n2 * mean2 * mean2, 0.0) / (n2 - 1)
    a, b = var1 / n1, var2 / n2
    se = float(np.sqrt(a + b))
    if se == 0.0:
        return Lift(n1, n2, mean1, mean2, diff, diff, diff)
    df = (a + b) ** 2 / ((a * a) / (n1 - 1) + (b * b) / (n2 - 1))
    half = t_ppf(0.975, df) * se
    return Lift(n1, n2, mean1, mean2, diff, diff - half, diff + half)


def revenue_lift(outcomes: CustomerOutcomes) -> Lift:
    """Net revenue per customer, treated against held out, over the whole period."""
    totals = np.bincount(
        outcomes.order_customer,
        weights=outcomes.order_value.astype(np.float64),
        minlength=outcomes.held_out.size,
    )
    held = outcomes.held_out
    return welch(
        int((~held).sum()),
        float(totals[~held].sum()),
        float((totals[~held] ** 2).sum()),
        int(held.sum()),
        float(totals[held].sum()),
        float((totals[held] ** 2).sum()),
    )


def daily_incremental(outcomes: CustomerOutcomes, days: list[date]) -> list[DayPoint]:
    """The incremental-revenue estimate and interval on the data up to each day's end."""
    if not days or outcomes.held_out.size == 0:
        return []
    start = days[0].toordinal()
    span = len(days)
    first = np.clip(outcomes.first_day - start, 0, span - 1)
    sums = {arm: np.zeros(span) for arm in (False, True)}
    squares = {arm: np.zeros(span) for arm in (False, True)}
    counts = {arm: np.zeros(span) for arm in (False, True)}
    for arm in (False, True):
        counts[arm] = np.cumsum(np.bincount(first[outcomes.held_out == arm], minlength=span))
    order = np.lexsort((outcomes.order_day, outcomes.order_customer))
    who, when = outcomes.order_customer[order], outcomes.order_day[order]
    value = outcomes.order_value[order].astype(np.float64)
    running = _cumsum_within(who, value)
    delta_sq = running**2 - (running - value) ** 2
    slot = np.clip(when - start, 0, span - 1)
    for arm in (False, True):
        mask = outcomes.held_out[who] == arm
        sums[arm] = np.cumsum(np.bincount(slot[mask], weights=value[mask], minlength=span))
        squares[arm] = np.cumsum(np.bincount(slot[mask], weights=delta_sq[mask], minlength=span))
    points = []
    for i, day in enumerate(days):
        lift = welch(
            int(counts[False][i]),
            sums[False][i],
            squares[False][i],
            int(counts[True][i]),
            sums[True][i],
            squares[True][i],
        )
        span_values = lift.incremental()
        if span_values is not None:
            points.append(DayPoint(day, *span_values))
    return points


def _cumsum_within(groups: npt.NDArray[np.int64], values: FloatArray) -> FloatArray:
    """Running totals of `values` restarting at each new group (groups sorted)."""
    total = np.cumsum(values)
    if total.size == 0:
        return total
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    offsets = np.repeat(np.r_[0.0, total[starts[1:] - 1]], np.diff(np.r_[starts, total.size]))
    result: FloatArray = total - offsets
    return result


def srm_p_value(treated: int, held_out: int, holdout_share: float) -> float | None:
    """Chi-square test that the split matches the configured holdout share (None if no data)."""
    total = treated + held_out
    if total == 0 or not 0.0 < holdout_share < 1.0:
        return None
    expected = np.array([total * (1 - holdout_share), total * holdout_share])
    observed = np.array([treated, held_out], dtype=np.float64)
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    return chi2_sf(chi2, 1)


def customers_needed(baseline_rate: float, relative_effect: float) -> int:
    """Customers per arm to detect a relative change of a rate at 5% level and 80% power."""
    p1 = min(max(baseline_rate, 1e-6), 1 - 1e-6)
    p2 = min(p1 * (1 + relative_effect), 1 - 1e-6)
    z_power = 0.8416212335729143
    variance = p1 * (1 - p1) + p2 * (1 - p2)
    return int(np.ceil((Z95 + z_power) ** 2 * variance / (p1 - p2) ** 2))


def outcomes_of(
    exposures: Sequence[Exposure], orders: Sequence[OrderTotal], *, until: datetime
) -> CustomerOutcomes:
    """The dashboard's outcomes from the measurement's reads: each exposed customer (mixed ones
    left out, as the report does) and their net orders in the dominant currency from their
    first decision to `until`."""
    kept = [e for e in exposures if e.held_out is not None]
    index = {e.customer_id: row for row, e in enumerate(kept)}
    currencies = Counter(o.currency for o in orders if o.customer_id in index)
    currency = currencies.most_common(1)[0][0] if currencies else "GBP"
    rows, days, values = [], [], []
    for order in orders:
        row = index.get(order.customer_id)
        if row is None or order.currency != currency or order.at >= until:
            continue
        if order.at >= kept[row].first_at:
            rows.append(row)
            days.append(order.at.astimezone(UTC).date().toordinal())
            values.append(order.net)
    first = [e.first_at.astimezone(UTC).date().toordinal() for e in kept]
    return CustomerOutcomes(
        held_out=np.array([bool(e.held_out) for e in kept], dtype=bool),
        first_day=np.array(first, dtype=np.int64),
        order_customer=np.array(rows, dtype=np.int64),
        order_day=np.array(days, dtype=np.int64),
        order_value=np.array(values, dtype=np.int64),
        currency=currency,
    )
