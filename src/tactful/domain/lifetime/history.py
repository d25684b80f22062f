"""The stored order history as arrays, oldest first: what cohorts and backtests replay.

Orders are rows (customer code, time, total); their SKUs are a CSR list per order. Codes index
`customer_ids` (-1 is a guest) and `items`. Upgrades are the accepted upsells, by customer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from tactful.domain.orders import Order

IntArray = npt.NDArray[np.int64]
TimeArray = npt.NDArray[np.datetime64]


@dataclass(frozen=True, slots=True)
class OrderHead:
    """One stored order without its lines (as storage reads it)."""

    order_id: str
    customer_id: str | None
    created_at: datetime
    currency: str


@dataclass(frozen=True, slots=True)
class HistoryLine:
    """One stored order line (as storage reads it)."""

    order_id: str
    sku: str
    quantity: int
    unit_price: int


@dataclass(frozen=True, slots=True)
class Upgrade:
    """A customer accepted an upsell at `at` (an offer answer or an upsell order line)."""

    customer_id: str
    at: datetime
    sku: str | None = None


@dataclass(frozen=True, eq=False)
class OrderHistory:
    """Orders oldest first; order o bought items[indices[indptr[o]:indptr[o + 1]]]."""

    order_ids: tuple[str, ...]
    customer_ids: tuple[str, ...]
    customers: IntArray
    times: TimeArray
    totals: IntArray
    currencies: tuple[str, ...]
    items: tuple[str, ...]
    indptr: IntArray
    indices: IntArray

    def __post_init__(self) -> None:
        n = len(self.order_ids)
        for name in ("customers", "times", "totals"):
            if getattr(self, name).shape != (n,):
                raise ValueError(f"{name} must have one entry per order ({n})")
        if self.indptr.shape != (n + 1,) or int(self.indptr[-1]) != self.indices.size:
            raise ValueError("indptr must have n + 1 entries ending at the number of lines")
        if n > 1 and np.any(self.times[1:] < self.times[:-1]):
            raise ValueError("orders must be oldest first")

    @property
    def size(self) -> int:
        """Number of orders."""
        return len(self.order_ids)

    def skus(self, order: int) -> list[str]:
        """The SKUs of order number `order` (for display and tests)."""
        return [self.items[i] for i in self.indices[self.indptr[order] : self.indptr[order + 1]]]

    @classmethod
    def from_rows(cls, heads: Sequence[OrderHead], lines: Iterable[HistoryLine]) -> OrderHistory:
        """Build from stored rows: heads in any order, lines of those orders in any order."""
        heads = sorted(heads, key=lambda h: (utc_naive(h.created_at), h.order_id))
        position = {head.order_id: number for number, head in enumerate(heads)}
        customer_codes: dict[str, int] = {}
        owners = [
            -1
            if h.customer_id is None
            else customer_codes.setdefault(h.customer_id, len(customer_codes))
            for h in heads
        ]
        item_codes: dict[str, int] = {}
        line_orders: list[int] = []
        line_items: list[int] = []
        line_totals: list[int] = []
        for line in lines:
            line_orders.append(position[line.order_id])
            line_items.append(item_codes.setdefault(line.sku, len(item_codes)))
            line_totals.append(line.quantity * line.unit_price)
        of_order = np.asarray(line_orders, dtype=np.int64)
        counts = np.bincount(of_order, minlength=len(heads))
        totals = np.zeros(len(heads), dtype=np.int64)
        np.add.at(totals, of_order, np.asarray(line_totals, dtype=np.int64))
        return cls(
            order_ids=tuple(head.order_id for head in heads),
            customer_ids=tuple(customer_codes),
            customers=np.asarray(owners, dtype=np.int64),
            times=np.array([utc_naive(h.created_at) for h in heads], dtype="datetime64[s]"),
            totals=totals,
            currencies=tuple(head.currency for head in heads),
            items=tuple(item_codes),
            indptr=np.concatenate(([0], np.cumsum(counts))).astype(np.int64),
            indices=np.asarray(line_items, dtype=np.int64)[np.argsort(of_order, kind="stable")],
        )

    @classmethod
    def from_orders(cls, orders: Iterable[Order]) -> OrderHistory:
        """Build from domain orders (the memory store, tests)."""
        orders = list(orders)
        heads = [OrderHead(o.order_id, o.customer_id, o.created_at, o.currency) for o in orders]
        lines = [
            HistoryLine(o.order_id, line.sku, line.quantity, line.unit_price.amount)
            for o in orders
            for line in o.lines
        ]
        return cls.from_rows(heads, lines)


def utc_naive(moment: datetime) -> datetime:
    """A naive UTC datetime (numpy's datetime64 holds no zone); naive input is taken as UTC."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)
