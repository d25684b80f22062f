"""Orders, their lines and the basket matrix mining reads (SQLAlchemy Core)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, Select, bindparam, func, select

from tactful.adapters.db.repositories._common import (
    bulk_insert,
    chunked,
    insert_ignoring,
    time_param,
    utc,
)
from tactful.adapters.db.tables import metadata, order_lines, orders, products
from tactful.domain.affinity.baskets import Baskets
from tactful.domain.catalog import Sku
from tactful.domain.counts import InsertCounts as InsertCounts
from tactful.domain.customers import CustomerId
from tactful.domain.money import Money
from tactful.domain.orders import LineSource, OfferId, Order, OrderId, OrderLine

FOUNDATION_TABLES = (
    "products",
    "price_history",
    "bundles",
    "bundle_items",
    "customers",
    "consents",
    "orders",
    "order_lines",
    "events",
    "imports",
)


_ORDER_IDS_IN = select(orders.c.order_id).where(
    orders.c.order_id.in_(bindparam("ids", expanding=True))
)


def existing_order_ids(conn: Connection, order_ids: Sequence[str]) -> set[str]:
    """Which of `order_ids` are stored already."""
    found: set[str] = set()
    for chunk in chunked(order_ids):
        found.update(conn.execute(_ORDER_IDS_IN, {"ids": chunk}).scalars())
    return found


def insert_orders(conn: Connection, orders_: Sequence[Order], *, source: str) -> InsertCounts:
    """Store orders once by id: an order sent again (or twice in a batch) changes nothing."""
    batch = list({o.order_id: o for o in reversed(orders_)}.values())
    present = existing_order_ids(conn, [o.order_id for o in batch])
    new = [o for o in batch if o.order_id not in present]
    if new:
        when = time_param(conn)
        order_rows = [
            {
                "order_id": o.order_id,
                "customer_id": o.customer_id,
                "created_at": when(o.created_at),
                "currency": o.currency,
                "source": source,
            }
            for o in new
        ]
        line_rows = [
            {
                "order_id": o.order_id,
                "line_no": number,
                "sku": line.sku,
                "quantity": line.quantity,
                "unit_price": line.unit_price.amount,
                "offer_id": line.offer_id,
                "source": line.source.value,
            }
            for o in new
            for number, line in enumerate(o.lines, start=1)
        ]
        dialect = conn.dialect.name
        insert = insert_ignoring(dialect, orders, "order_id")
        bulk_insert(conn, insert, order_rows, cache_key="orders")
        lines = insert_ignoring(dialect, order_lines, "order_id", "line_no")
        bulk_insert(conn, lines, line_rows, cache_key="order_lines")
    n_lines = sum(len(o.lines) for o in new)
    return InsertCounts(len(new), len(orders_) - len(new), n_lines)


def orders_of(conn: Connection, customer_id: str, *, since: datetime | None = None) -> list[Order]:
    """The customer's orders, oldest first (optionally only those at or after `since`)."""
    query = select(orders).where(orders.c.customer_id == customer_id)
    if since is not None:
        query = query.where(orders.c.created_at >= utc(since))
    heads = conn.execute(query.order_by(orders.c.created_at, orders.c.order_id)).all()
    return _with_lines(conn, heads)


def get_orders(conn: Connection, order_ids: Sequence[str]) -> dict[str, Order]:
    """The stored orders among `order_ids`, by id."""
    heads: list[Any] = []
    for chunk in chunked(order_ids):
        heads.extend(conn.execute(select(orders).where(orders.c.order_id.in_(chunk))))
    return {o.order_id: o for o in _with_lines(conn, heads)}


def _with_lines(conn: Connection, heads: Sequence[Any]) -> list[Order]:
    lines: dict[str, list[OrderLine]] = {}
    currency = {h.order_id: h.currency for h in heads}
    for chunk in chunked(list(currency)):
        query = (
            select(order_lines)
            .where(order_lines.c.order_id.in_(chunk))
            .order_by(order_lines.c.order_id, order_lines.c.line_no)
        )
        for row in conn.execute(query):
            line = OrderLine(
                sku=Sku(row.sku),
                quantity=int(row.quantity),
                unit_price=Money(int(row.unit_price), currency[row.order_id]),
                offer_id=OfferId(row.offer_id) if row.offer_id is not None else None,
                source=LineSource(row.source),
            )
            lines.setdefault(row.order_id, []).append(line)
    return [
        Order(
            order_id=OrderId(h.order_id),
            created_at=h.created_at,
            lines=tuple(lines[h.order_id]),
            customer_id=CustomerId(h.customer_id) if h.customer_id is not None else None,
        )
        for h in heads
        if h.order_id in lines
    ]


def count_rows(conn: Connection) -> dict[str, int]:
    """Row count of each foundation table (for summaries, the demo and tests)."""
    counts: dict[str, int] = {}
    for name in FOUNDATION_TABLES:
        table = metadata.tables[name]
        counts[name] = int(conn.execute(select(func.count()).select_from(table)).scalar_one())
    return counts


def _window(query: Select[Any], since: datetime | None, until: datetime | None) -> Select[Any]:
    if since is not None:
        query = query.where(orders.c.created_at >= utc(since))
    if until is not None:
        query = query.where(orders.c.created_at < utc(until))
    return query


def read_baskets(
    conn: Connection, *, since: datetime | None = None, until: datetime | None = None
) -> Baskets:
    """Every order in [since, until) as one basket of distinct SKUs, oldest first.

    Customers are coded 0.. in order of first appearance (-1 for guests); item prices are the
    catalogue's current prices in minor units (-1 when the SKU has no product row).
    """
    heads = conn.execute(
        _window(
            select(orders.c.order_id, orders.c.customer_id, orders.c.created_at), since, until
        ).order_by(orders.c.created_at, orders.c.order_id)
    ).all()
    position = {h.order_id: b for b, h in enumerate(heads)}
    pairs = conn.execute(
        _window(
            select(order_lines.c.order_id, order_lines.c.sku).join(
                orders, orders.c.order_id == order_lines.c.order_id
            ),
            since,
            until,
        )
    ).all()
    item_index: dict[str, int] = {}
    basket_of = np.fromiter((position[p[0]] for p in pairs), dtype=np.int64, count=len(pairs))
    item_of = np.fromiter(
        (item_index.setdefault(p[1], len(item_index)) for p in pairs),
        dtype=np.int64,
        count=len(pairs),
    )
    items, indptr, indices = _csr(item_index, basket_of, item_of, len(heads))
    return Baskets(
        items=items,
        indptr=indptr,
        indices=indices,
        customers=_customer_codes([h.customer_id for h in heads]),
        times=np.array([h.created_at.replace(tzinfo=None) for h in heads], dtype="datetime64[s]"),
        prices=_item_prices(conn, items),
    )


def _csr(
    item_index: dict[str, int], basket_of: np.ndarray, item_of: np.ndarray, n_baskets: int
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """Sorted labels and CSR arrays with each (basket, item) pair once."""
    labels = np.array(list(item_index), dtype=object)
    order = np.argsort(labels, kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    codes = rank[item_of] if item_of.size else item_of
    keys = np.unique(basket_of * max(order.size, 1) + codes)
    baskets = keys // max(order.size, 1)
    indices = (keys % max(order.size, 1)).astype(np.int32)
    indptr = np.zeros(n_baskets + 1, dtype=np.int64)
    np.cumsum(np.bincount(baskets, minlength=n_baskets), out=indptr[1:])
    return tuple(str(label) for label in labels[order]), indptr, indices


def _customer_codes(customer_ids: Sequence[str | None]) -> np.ndarray:
    codes: dict[str, int] = {}
    return np.fromiter(
        (-1 if c is None else codes.setdefault(c, len(codes)) for c in customer_ids),
        dtype=np.int64,
        count=len(customer_ids),
    )


def _item_prices(conn: Connection, items: tuple[str, ...]) -> np.ndarray:
    known = {row[0]: row[1] for row in conn.execute(select(products.c.sku, products.c.price))}
    return np.fromiter((int(known.get(s, -1)) for s in items), dtype=np.int64, count=len(items))


def best_selling_sku(conn: Connection) -> str | None:
    """The SKU on the most order lines (ties by SKU), or None without orders."""
    query = (
        select(order_lines.c.sku)
        .group_by(order_lines.c.sku)
        .order_by(func.count().desc(), order_lines.c.sku)
        .limit(1)
    )
    return conn.execute(query).scalar()


def frequent_customers(conn: Connection, limit: int) -> list[str]:
    """The customers with the most orders, most first (guests left out)."""
    query = (
        select(orders.c.customer_id)
        .where(orders.c.customer_id.is_not(None))
        .group_by(orders.c.customer_id)
        .order_by(func.count().desc())
        .limit(limit)
    )
    return list(conn.execute(query).scalars())


class SqlOrderStore:
    """`tactful.services.ports.OrderStore` on one SQLAlchemy connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def existing_order_ids(self, order_ids: Sequence[str]) -> set[str]:
        return existing_order_ids(self.connection, order_ids)

    def insert_orders(self, orders_: Sequence[Order], *, source: str) -> InsertCounts:
        return insert_orders(self.connection, orders_, source=source)

    def orders_of(self, customer_id: str, *, since: datetime | None = None) -> list[Order]:
        return orders_of(self.connection, customer_id, since=since)

    def get_orders(self, order_ids: Sequence[str]) -> dict[str, Order]:
        return get_orders(self.connection, order_ids)

    def read_baskets(
        self, *, since: datetime | None = None, until: datetime | None = None
    ) -> Baskets:
        return read_baskets(self.connection, since=since, until=until)

    def count_rows(self) -> dict[str, int]:
        return count_rows(self.connection)

    def best_selling_sku(self) -> str | None:
        return best_selling_sku(self.connection)

    def frequent_customers(self, limit: int) -> list[str]:
        return frequent_customers(self.connection, limit)
