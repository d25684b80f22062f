"""An order export read straight into baskets for mining, without a database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from tactful.adapters.importers import (
    GroupedOrder,
    ImportOptions,
    group_orders,
    order_column,
    reader_for,
)
from tactful.domain.affinity import Baskets


def baskets_from_file(
    path: Path, fmt: str, *, progress: Callable[[int, int], None] | None = None
) -> Baskets:
    """Read an order export (any importer format) straight into baskets, without a database."""
    reader, options = reader_for(fmt), ImportOptions(at=datetime.now(UTC))
    records = reader(path, options, progress)
    index: dict[str, int] = {}
    prices: dict[int, int] = {}
    customers: dict[str, int] = {}
    lists: list[list[int]] = []
    times: list[datetime] = []
    owners: list[int] = []
    for grouped in group_orders(records, path=path, order_column=order_column(fmt, options)):
        if not isinstance(grouped, GroupedOrder):
            continue
        order = grouped.order
        codes = [index.setdefault(line.sku, len(index)) for line in order.lines]
        prices.update(zip(codes, (line.unit_price.amount for line in order.lines), strict=True))
        lists.append(codes)
        times.append(order.created_at.astimezone(UTC).replace(tzinfo=None))
        cid = order.customer_id
        owners.append(-1 if cid is None else customers.setdefault(cid, len(customers)))
    if not lists:
        raise ValueError(f"{path}: no orders found")
    labels = tuple(index)
    base = Baskets.from_lists(([labels[c] for c in codes] for codes in lists), items=labels)
    return Baskets(
        items=base.items,
        indptr=base.indptr,
        indices=base.indices,
        customers=np.asarray(owners, dtype=np.int64),
        times=np.asarray(times, dtype="datetime64[s]"),
        prices=np.asarray([prices.get(i, -1) for i in range(len(labels))], dtype=np.int64),
    )
