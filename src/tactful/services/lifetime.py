"""Fit lifetime-value models to an order export: read it through the importers, summarise, fit.

Time is counted in weeks and purchases per day; values are order totals in the currency's major
unit (12.50, not 1250) so that Gamma-Gamma's `gamma` is on the scale of the published figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np

from tactful.domain.imports import ImportFileError, ImportOptions
from tactful.domain.lifetime import (
    BgNbdParams,
    CustomerSummary,
    GammaGammaParams,
    LifetimeValues,
    expected_purchases,
    fit_bgnbd,
    fit_gamma_gamma,
    predict_values,
    summarise,
)
from tactful.domain.money import exponent
from tactful.domain.order_grouping import GroupedOrder, group_orders
from tactful.services.ports.history import HistoryReads
from tactful.services.ports.imports import OrderFiles

__all__ = [
    "ClvFit",
    "Holdout",
    "PurchaseLog",
    "calibration_date",
    "fit_lifetime",
    "read_purchases",
    "stored_purchases",
]

EPOCH = date(1970, 1, 1)
WEEK_DAYS = 7.0


@dataclass(frozen=True, eq=False)
class PurchaseLog:
    """Every customer order as parallel arrays; `customer_ids[code]` names a customer code."""

    customer_ids: tuple[str, ...]
    customers: np.ndarray
    days: np.ndarray
    values: np.ndarray
    currency: str
    guest_orders: int

    def summary(self, calibration_end: date) -> CustomerSummary:
        """The repeat-purchase summary of the orders up to and including `calibration_end`."""
        return summarise(
            self.customers,
            self.days,
            self.values,
            calibration_end=(calibration_end - EPOCH).days,
            unit_days=WEEK_DAYS,
        )


@dataclass(frozen=True)
class Holdout:
    """Purchases after the calibration period: what the model predicted and what happened."""

    weeks: float
    predicted_purchases: float
    actual_purchases: int


@dataclass(frozen=True, eq=False)
class ClvFit:
    """The fitted models, every calibration customer's outlook and, if any, the holdout check."""

    purchases: BgNbdParams
    spend: GammaGammaParams
    summary: CustomerSummary
    values: LifetimeValues
    customer_ids: tuple[str, ...]
    currency: str
    calibration_end: date
    guest_orders: int
    holdout: Holdout | None


def read_purchases(files: OrderFiles, path: Path, fmt: str, options: ImportOptions) -> PurchaseLog:
    """Every order of `path` with a customer, as (customer, day, value); guests are counted."""
    reader = files.reader(fmt)
    column = files.order_column(fmt, options)
    zone = options.zone()
    codes: dict[str, int] = {}
    owners: list[int] = []
    days: list[int] = []
    totals: list[int] = []
    currency: str | None = None
    guests = 0
    for grouped in group_orders(reader(path, options, None), path=path, order_column=column):
        if not isinstance(grouped, GroupedOrder):
            continue
        order = grouped.order
        if order.customer_id is None:
            guests += 1
            continue
        if currency is None:
            currency = order.currency
        elif order.currency != currency:
            reason = f"order in {order.currency} in a file of {currency} orders; fit one currency"
            raise ImportFileError(path, grouped.lines[0].line_no, "currency", reason)
        owners.append(codes.setdefault(order.customer_id, len(codes)))
        days.append((order.created_at.astimezone(zone).date() - EPOCH).days)
        totals.append(order.total.amount)
    if currency is None:
        raise ValueError(f"{path}: no orders with a customer id to fit")
    return PurchaseLog(
        customer_ids=tuple(codes),
        customers=np.asarray(owners, dtype=np.int64),
        days=np.asarray(days, dtype=np.int64),
        values=np.asarray(totals, dtype=np.float64) / 10 ** exponent(currency),
        currency=currency,
        guest_orders=guests,
    )


def stored_purchases(reads: HistoryReads, *, until: datetime | None = None) -> PurchaseLog:
    """The stored orders with a customer (before `until`) as a purchase log, one currency.

    For the dashboard's CLV distribution: the same fit as `tactful clv`, on the database.
    """
    history = reads.order_history(until=until)
    known = np.flatnonzero(history.customers >= 0)
    currencies = {history.currencies[i] for i in known}
    if len(currencies) > 1:
        raise ValueError(f"orders in {sorted(currencies)}: lifetime value needs one currency")
    currency = currencies.pop() if currencies else "GBP"
    days = history.times[known].astype("datetime64[D]").astype(np.int64)
    return PurchaseLog(
        customer_ids=history.customer_ids,
        customers=history.customers[known],
        days=days - (EPOCH - date(1970, 1, 1)).days,
        values=history.totals[known].astype(np.float64) / 10 ** exponent(currency),
        currency=currency,
        guest_orders=int(history.size - known.size),
    )


def fit_lifetime(log: PurchaseLog, *, calibration_end: date, horizon_weeks: float = 52.0) -> ClvFit:
    """Fit BG/NBD and Gamma-Gamma on the purchases up to `calibration_end` (inclusive)."""
    summary = log.summary(calibration_end)
    if summary.size == 0:
        first = EPOCH.toordinal() + int(log.days.min())
        raise ValueError(
            f"--calibration-end {calibration_end}: no purchase on or before it "
            f"(the first is on {date.fromordinal(first)})"
        )
    spend = fit_gamma_gamma(summary)
    purchases = fit_bgnbd(summary)
    return ClvFit(
        purchases=purchases,
        spend=spend,
        summary=summary,
        values=predict_values(purchases, spend, summary, horizon_weeks),
        customer_ids=tuple(log.customer_ids[code] for code in summary.customers),
        currency=log.currency,
        calibration_end=calibration_end,
        guest_orders=log.guest_orders,
        holdout=_holdout(log, summary, purchases, calibration_end),
    )


def _holdout(
    log: PurchaseLog, summary: CustomerSummary, purchases: BgNbdParams, calibration_end: date
) -> Holdout | None:
    """Repeat purchase days after the calibration end by its customers, against the forecast."""
    end = (calibration_end - EPOCH).days
    later = (log.days > end) & np.isin(log.customers, summary.customers)
    if not np.any(later):
        return None
    weeks = (int(log.days.max()) - end) / WEEK_DAYS
    purchase_days = np.unique(np.stack([log.customers[later], log.days[later]]), axis=1)
    return Holdout(
        weeks=weeks,
        predicted_purchases=float(expected_purchases(purchases, summary, weeks).sum()),
        actual_purchases=int(purchase_days.shape[1]),
    )


def calibration_date(text: str) -> date:
    """A --calibration-end value: YYYY-MM-DD (a time of day is not accepted)."""
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise ValueError(f"--calibration-end: expected YYYY-MM-DD, got {text!r}") from None
