"""Import an order export in one transaction: all of it or, on any error, none of it."""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from time import perf_counter
from typing import Any

from tactful.domain.catalog import PricePoint, Product, Sku
from tactful.domain.clock import Clock, SystemClock
from tactful.domain.countries import country_code
from tactful.domain.counts import InsertCounts, UpsertCounts
from tactful.domain.customers import Customer, CustomerId
from tactful.domain.imports import (
    ImportFileError,
    ImportOptions,
    PriceUnit,
    Progress,
    Record,
    Skipped,
    price_scale_warning,
)
from tactful.domain.money import Money
from tactful.domain.order_grouping import GroupedOrder, group_orders
from tactful.services.ports.imports import OrderFiles
from tactful.services.ports.storage import Database, Transaction

# An import knows names and prices, never kinds, tiers or outcomes a merchant has set.
IMPORT_FIELDS = ("name", "price", "currency")
BATCH_LINES = 50_000

__all__ = ["ImportFileError", "ImportOptions", "ImportSummary", "PriceUnit", "import_file"]


@dataclass(frozen=True)
class ImportSummary:
    """What an import read, stored and skipped; lines_read = lines_imported + lines_skipped."""

    import_id: str
    path: str
    format: str
    lines_read: int
    lines_imported: int
    skipped: dict[str, int]
    order_lines: int
    orders_new: int
    orders_existing: int
    lines_new: int
    products_new: int
    products_updated: int
    products_unchanged: int
    customers_new: int
    customers_existing: int
    price_points_new: int
    guest_orders: int
    seconds: float
    warnings: tuple[str, ...] = ()

    @property
    def lines_skipped(self) -> int:
        """Lines left out on purpose, over all reasons."""
        return sum(self.skipped.values())

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON (the import log, the API)."""
        return asdict(self)


@dataclass
class _Tally:
    lines_read: int = 0
    lines_imported: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def count(self, records: Iterable[Record]) -> Iterator[Record]:
        """Pass records through, counting file lines (a basket line yields several records)."""
        last = -1
        for record in records:
            if isinstance(record, Skipped):
                self.lines_read += 1
                self.skipped[record.reason] += 1
            elif record.line_no != last:
                last = record.line_no
                self.lines_read += 1
                self.lines_imported += 1
            yield record


class _Writer:
    """Collects orders into batches; tracks catalogue state and price changes as it goes."""

    def __init__(self, tx: Transaction, fmt: str, now: datetime) -> None:
        self.tx, self.fmt, self.source, self.now = tx, fmt, f"import:{fmt}", now
        self.batch: list[GroupedOrder] = []
        self.batch_lines = 0
        self.points: list[PricePoint] = []
        self.first_point: set[str] = set()
        self.last_price: dict[str, Money] = {}
        self.catalog: dict[str, tuple[str, Money, datetime]] = {}
        self.seen_skus: set[str] = set()
        self.preexisting: set[str] = set()
        self.prices_before: dict[str, Money] = {}
        self.seen_customers: set[str] = set()
        self.orders = InsertCounts()
        self.customers = UpsertCounts()
        self.guest_orders = 0
        self.order_lines = 0
        self.max_time: datetime | None = None

    def add(self, grouped: GroupedOrder, batch_lines: int) -> None:
        """Take one order; write a batch when it is full."""
        at = grouped.order.created_at
        self.max_time = at if self.max_time is None or at > self.max_time else self.max_time
        last_price, catalog = self.last_price, self.catalog
        for line in grouped.lines:
            sku, price = line.sku, line.unit_price
            previous = last_price.get(sku)
            if previous is not price and previous != price:
                if previous is None:
                    self.first_point.add(sku)
                self.points.append(PricePoint(Sku(sku), price, at))
                last_price[sku] = price
            state = catalog.get(sku)
            if state is None or at >= state[2]:
                catalog[sku] = (line.name or (state[0] if state else sku), price, at)
        self.batch.append(grouped)
        self.batch_lines += len(grouped.lines)
        if self.batch_lines >= batch_lines:
            self.flush()

    def flush(self) -> None:
        """Write the batch: new products first (price history refers to them), then orders."""
        self._write_products()
        self.tx.catalog.record_price_points(self.points)
        self.points, self.first_point = [], set()
        self._write_customers()
        orders = [g.order for g in self.batch]
        self.guest_orders += sum(1 for o in orders if o.customer_id is None)
        self.order_lines += sum(len(o.lines) for o in orders)
        self.orders += self.tx.orders.insert_orders(orders, source=self.source)
        for grouped in self.batch:
            platform_id = grouped.lines[0].platform_id
            if platform_id:
                self.tx.platform_orders.remember(self.fmt, platform_id, grouped.order.order_id)
        self.batch, self.batch_lines = [], 0

    def _write_products(self) -> None:
        new = list(dict.fromkeys(ln.sku for g in self.batch for ln in g.lines))
        new = [s for s in new if s not in self.seen_skus]
        known = self.tx.catalog.get_products(new)
        self.preexisting.update(known)
        self.prices_before.update((sku, product.price) for sku, product in known.items())
        self.seen_skus.update(new)
        created = [self._product(s) for s in new if s not in known]
        self.tx.catalog.upsert_products(
            created, at=self.max_time or self.now, update_fields=(), record_history=False
        )
        # A file's first price of a known product is only a change if it differs.
        self.points = [
            p
            for p in self.points
            if not (p.sku in self.first_point and p.sku in known and known[p.sku].price == p.price)
        ]

    def _write_customers(self) -> None:
        fresh: dict[str, Customer] = {}
        for grouped in self.batch:
            cid = grouped.order.customer_id
            if cid and cid not in self.seen_customers and cid not in fresh:
                country = country_code(grouped.lines[0].country)  # GB, not United Kingdom
                fresh[cid] = Customer(CustomerId(cid), grouped.email, country=country)
        self.seen_customers.update(fresh)
        batch = list(fresh.values())
        # Only a country is filled in on known customers (a None one never erases it).
        self.customers += self.tx.customers.upsert_customers(
            batch, at=self.now, update_fields=("country",)
        )

    def _product(self, sku: str) -> Product:
        name, price, _ = self.catalog[sku]
        return Product(Sku(sku), name or sku, price)

    def finish(self) -> UpsertCounts:
        """Flush, then set every product to its latest name and price; counts known ones."""
        self.flush()
        at = self.max_time or self.now
        known = [self._product(s) for s in self.catalog if s in self.preexisting]
        counts = self.tx.catalog.upsert_products(
            known, at=at, update_fields=IMPORT_FIELDS, record_history=False
        )
        created = [self._product(s) for s in self.catalog if s not in self.preexisting]
        self.tx.catalog.upsert_products(
            created, at=at, update_fields=IMPORT_FIELDS, record_history=False
        )
        return UpsertCounts(len(created), counts.updated, counts.unchanged)

    def warnings(self) -> tuple[str, ...]:
        """What looks wrong but was stored: prices 100x off from the catalogue's."""
        pairs = ((self.catalog[sku][1], old) for sku, old in self.prices_before.items())
        warning = price_scale_warning(pairs)
        return () if warning is None else (warning,)


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes: the import log's key for the same file."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def import_file(
    database: Database,
    files: OrderFiles,
    path: Path | str,
    fmt: str,
    *,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
    clock: Clock | None = None,
    batch_lines: int = BATCH_LINES,
) -> ImportSummary:
    """Import `path` in format `fmt`; raises ImportFileError and stores nothing on bad input.

    Re-importing a file changes no data: orders are kept once by id, products and price points
    only change when the file says something new. Each run is logged in `imports`.
    """
    path = Path(path)
    reader = files.reader(fmt)
    if not path.is_file():
        raise ImportFileError(path, 0, None, "no such file")
    clock = clock or SystemClock()
    started = clock.now()
    options = options or ImportOptions()
    options = options if options.at is not None else replace(options, at=started)
    timer = perf_counter()
    tally = _Tally()
    records = tally.count(reader(path, options, progress))
    grouped = group_orders(records, path=path, order_column=files.order_column(fmt, options))
    with database.transaction() as tx:
        tx.imports.prepare_bulk_write()
        points_before = tx.catalog.count_price_points()
        writer = _Writer(tx, fmt, started)
        for item in grouped:
            if not isinstance(item, Skipped):
                writer.add(item, batch_lines)
        products = writer.finish()
        points = tx.catalog.count_price_points() - points_before
        summary = _summary(path, fmt, tally, writer, products, points)
        summary = replace(summary, seconds=round(perf_counter() - timer, 3))
        tx.imports.record_import(
            import_id=summary.import_id,
            path=str(path.resolve()),
            fmt=fmt,
            sha256=file_sha256(path),
            started_at=started,
            finished_at=clock.now(),
            summary=summary.to_dict(),
        )
    return summary


def _summary(
    path: Path, fmt: str, tally: _Tally, writer: _Writer, products: UpsertCounts, points: int
) -> ImportSummary:
    if tally.lines_read != tally.lines_imported + sum(tally.skipped.values()):
        raise RuntimeError("import lost count of lines; nothing was stored")
    return ImportSummary(
        import_id=uuid.uuid4().hex,
        path=str(path),
        format=fmt,
        lines_read=tally.lines_read,
        lines_imported=tally.lines_imported,
        skipped=dict(sorted(tally.skipped.items())),
        order_lines=writer.order_lines,
        orders_new=writer.orders.orders_new,
        orders_existing=writer.orders.orders_existing,
        lines_new=writer.orders.lines_new,
        products_new=products.created,
        products_updated=products.updated,
        products_unchanged=products.unchanged,
        customers_new=writer.customers.created,
        customers_existing=writer.customers.unchanged + writer.customers.updated,
        price_points_new=points,
        guest_orders=writer.guest_orders,
        seconds=0.0,
        warnings=writer.warnings(),
    )
