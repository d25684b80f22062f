"""Products, their price history and bundles (SQLAlchemy Core; SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, func, select

from tactful.adapters.db.repositories._common import (
    UpsertCounts,
    bulk_insert,
    chunked,
    dialect_insert,
    insert_ignoring,
    last_by,
    time_param,
    unique,
    utc,
)
from tactful.adapters.db.repositories.change_counters import CATALOG, bump
from tactful.adapters.db.tables import bundle_items, bundles, products
from tactful.adapters.db.tables import price_history as price_table
from tactful.adapters.product_rows import PRODUCT_FIELDS, product_from_row, product_row
from tactful.domain.catalog import Bundle, PricePoint, Product, Sku
from tactful.domain.money import Money

_PRODUCTS_IN = select(products).where(products.c.sku.in_(bindparam("skus", expanding=True)))


def _existing_rows(conn: Connection, skus: Iterable[str]) -> dict[str, Row[Any]]:
    found: dict[str, Row[Any]] = {}
    for chunk in chunked(unique(skus)):
        for row in conn.execute(_PRODUCTS_IN, {"skus": chunk}):
            found[row.sku] = row
    return found


def upsert_products(
    conn: Connection,
    products_: Sequence[Product],
    *,
    at: datetime,
    update_fields: Collection[str] | None = None,
    record_history: bool = True,
) -> UpsertCounts:
    """Create new products and update changed ones; a price point is kept for every new price.

    `update_fields` limits what an existing product may have overwritten (an importer knows
    names and prices, not kinds or tiers); `()` only creates. A row updated after `at` is left
    alone, so replaying old data never rolls a catalogue back.
    """
    fields = PRODUCT_FIELDS if update_fields is None else tuple(update_fields)
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValueError(f"unknown product fields {sorted(unknown)}")
    at = utc(at)
    batch = last_by(products_, lambda p: p.sku)
    existing = _existing_rows(conn, (p.sku for p in batch))
    to_write: list[dict[str, Any]] = []
    points: list[PricePoint] = []
    created = updated = unchanged = 0
    for product in batch:
        row = product_row(product, at)
        old = existing.get(product.sku)
        if old is None:
            created += 1
            to_write.append(row)
            points.append(PricePoint(product.sku, product.price, at))
            continue
        stale = old.updated_at is not None and old.updated_at > at
        if stale or all(getattr(old, f) == row[f] for f in fields):
            unchanged += 1
            continue
        updated += 1
        to_write.append(row)
        if "price" in fields and (old.price, old.currency) != (row["price"], row["currency"]):
            points.append(PricePoint(product.sku, product.price, at))
    _write_products(conn, to_write, fields)
    if record_history:
        record_price_points(conn, points)
    return UpsertCounts(created, updated, unchanged)


def _write_products(conn: Connection, rows: list[dict[str, Any]], fields: Sequence[str]) -> None:
    if not rows:
        return
    bump(conn, CATALOG)
    if not fields:
        conn.execute(insert_ignoring(conn.dialect.name, products, "sku"), rows)
        return
    insert = dialect_insert(conn, products)
    columns = [*fields, "updated_at"]
    statement = insert.on_conflict_do_update(
        index_elements=["sku"],
        set_={name: insert.excluded[name] for name in columns},
        where=products.c.updated_at <= insert.excluded.updated_at,
    )
    conn.execute(statement, rows)


def get_products(conn: Connection, skus: Iterable[str]) -> dict[str, Product]:
    """The known products among `skus`, by SKU (unknown SKUs are simply absent)."""
    return {sku: product_from_row(row._mapping) for sku, row in _existing_rows(conn, skus).items()}


def all_products(conn: Connection) -> list[Product]:
    """Every product, ordered by SKU."""
    return [
        product_from_row(row._mapping)
        for row in conn.execute(select(products).order_by(products.c.sku))
    ]


def price_history(conn: Connection, skus: Iterable[str]) -> dict[str, list[PricePoint]]:
    """Price points of each SKU, oldest first (SKUs without history are absent)."""
    history: dict[str, list[PricePoint]] = {}
    for chunk in chunked(unique(skus)):
        query = (
            select(price_table)
            .where(price_table.c.sku.in_(chunk))
            .order_by(price_table.c.sku, price_table.c.effective_at)
        )
        for row in conn.execute(query):
            point = PricePoint(Sku(row.sku), Money(int(row.price), row.currency), row.effective_at)
            history.setdefault(row.sku, []).append(point)
    return history


def record_price_points(conn: Connection, points: Iterable[PricePoint]) -> None:
    """Store price points; a point already stored for the same SKU and moment is kept as is."""
    when = time_param(conn)
    rows = [
        {
            "sku": p.sku,
            "effective_at": when(p.effective_at),
            "price": p.price.amount,
            "currency": p.price.currency,
        }
        for p in last_by(list(points), lambda p: (p.sku, p.effective_at))
    ]
    if rows:
        bump(conn, CATALOG)
        insert = dialect_insert(conn, price_table)
        statement = insert.on_conflict_do_nothing(index_elements=["sku", "effective_at"])
        bulk_insert(conn, statement, rows)


def count_price_points(conn: Connection) -> int:
    """How many price points are stored (an import reports how many it added)."""
    return int(conn.execute(select(func.count()).select_from(price_table)).scalar_one())


def upsert_bundles(conn: Connection, bundles_: Sequence[Bundle]) -> UpsertCounts:
    """Create or replace bundles by id; an identical bundle is left untouched."""
    batch = last_by(bundles_, lambda b: b.bundle_id)
    current = {b.bundle_id: b for b in _load_bundles(conn, [b.bundle_id for b in batch])}
    changed = [b for b in batch if current.get(b.bundle_id) != b]
    if changed:
        bump(conn, CATALOG)
        ids = [b.bundle_id for b in changed]
        conn.execute(bundle_items.delete().where(bundle_items.c.bundle_id.in_(ids)))
        insert = dialect_insert(conn, bundles)
        rows = [
            {
                "bundle_id": b.bundle_id,
                "name": b.name,
                "price": b.price.amount,
                "currency": b.price.currency,
            }
            for b in changed
        ]
        conn.execute(
            insert.on_conflict_do_update(
                index_elements=["bundle_id"],
                set_={c: insert.excluded[c] for c in ("name", "price", "currency")},
            ),
            rows,
        )
        items = [{"bundle_id": b.bundle_id, "sku": s} for b in changed for s in sorted(b.skus)]
        conn.execute(bundle_items.insert(), items)
    created = sum(1 for b in changed if b.bundle_id not in current)
    return UpsertCounts(created, len(changed) - created, len(batch) - len(changed))


def _load_bundles(conn: Connection, bundle_ids: Sequence[str]) -> list[Bundle]:
    if not bundle_ids:
        return []
    skus: dict[str, set[Sku]] = {}
    query = select(bundle_items).where(bundle_items.c.bundle_id.in_(bundle_ids))
    for row in conn.execute(query):
        skus.setdefault(row.bundle_id, set()).add(Sku(row.sku))
    heads = conn.execute(
        select(bundles).where(bundles.c.bundle_id.in_(bundle_ids)).order_by(bundles.c.bundle_id)
    )
    return [
        Bundle(
            row.bundle_id,
            row.name,
            frozenset(skus.get(row.bundle_id, ())),
            Money(int(row.price), row.currency),
        )
        for row in heads
    ]


def bundles_containing(conn: Connection, skus: Iterable[str]) -> list[Bundle]:
    """Bundles that include at least one of `skus`, ordered by id."""
    wanted = unique(skus)
    if not wanted:
        return []
    ids: set[str] = set()
    for chunk in chunked(wanted):
        query = select(bundle_items.c.bundle_id).where(bundle_items.c.sku.in_(chunk))
        ids.update(conn.execute(query).scalars())
    return _load_bundles(conn, sorted(ids))


class SqlCatalogStore:
    """`tactful.services.ports.CatalogStore` on one SQLAlchemy connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def upsert_products(
        self,
        products_: Sequence[Product],
        *,
        at: datetime,
        update_fields: Collection[str] | None = None,
        record_history: bool = True,
    ) -> UpsertCounts:
        return upsert_products(
            self.connection,
            products_,
            at=at,
            update_fields=update_fields,
            record_history=record_history,
        )

    def get_products(self, skus: Iterable[str]) -> dict[str, Product]:
        return get_products(self.connection, skus)

    def all_products(self) -> list[Product]:
        return all_products(self.connection)

    def price_history(self, skus: Iterable[str]) -> dict[str, list[PricePoint]]:
        return price_history(self.connection, skus)

    def record_price_points(self, points: Iterable[PricePoint]) -> None:
        return record_price_points(self.connection, points)

    def upsert_bundles(self, bundles_: Sequence[Bundle]) -> UpsertCounts:
        return upsert_bundles(self.connection, bundles_)

    def bundles_containing(self, skus: Iterable[str]) -> list[Bundle]:
        return bundles_containing(self.connection, skus)

    def count_price_points(self) -> int:
        return count_price_points(self.connection)
