"""Lifetime value fitted on the stored history gives what the file route gives."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tactful.adapters.importers import FileReaders
from tactful.domain.catalog import Sku
from tactful.domain.customers import CustomerId
from tactful.domain.imports import ImportOptions
from tactful.domain.money import Money
from tactful.domain.orders import Order, OrderId, OrderLine
from tactful.services.lifetime import fit_lifetime, read_purchases, stored_purchases
from tactful.services.ports.storage import Database
from tests.services.history_wiring import history_reads

END = date(2024, 6, 30)


def orders() -> list[Order]:
    """80 customers with Poisson-ish visits and varied spend, plus a guest."""
    draw = random.Random(11)
    found = [
        Order(
            OrderId("guest"),
            datetime(2024, 1, 2, tzinfo=UTC),
            (OrderLine(Sku("A"), 1, Money(100, "GBP")),),
        )
    ]
    for n in range(80):
        at = datetime(2024, 1, 1, 9, tzinfo=UTC) + timedelta(days=draw.randrange(40))
        for visit in range(draw.choice([1, 1, 2, 3, 4, 6, 9])):
            pence = draw.choice([950, 1200, 2000, 3525]) + 10 * n
            line = OrderLine(Sku("A"), 1, Money(pence, "GBP"))
            found.append(Order(OrderId(f"o{n}-{visit}"), at, (line,), CustomerId(f"c{n}")))
            at += timedelta(days=draw.randrange(3, 40))
    return found


def as_csv(path: Path, rows: list[Order]) -> Path:
    lines = ["order_id,customer_id,created_at,sku,quantity,unit_price"]
    for order in rows:
        pounds = f"{order.lines[0].unit_price.amount / 100:.2f}"
        when = order.created_at.isoformat()
        lines.append(f"{order.order_id},{order.customer_id or ''},{when},A,1,{pounds}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_stored_and_file_fits_agree(database: Database, tmp_path: Path) -> None:
    rows = orders()
    with database.transaction() as tx:
        tx.orders.insert_orders(rows, source="api")
    stored = stored_purchases(history_reads(database))
    from_file = read_purchases(
        FileReaders(), as_csv(tmp_path / "o.csv", rows), "orders-csv", ImportOptions()
    )
    assert stored.guest_orders == from_file.guest_orders == 1
    first = fit_lifetime(stored, calibration_end=END)
    second = fit_lifetime(from_file, calibration_end=END)
    assert first.summary.size == second.summary.size == 80
    assert first.purchases.r == pytest.approx(second.purchases.r, rel=1e-6)
    assert first.spend.gamma == pytest.approx(second.spend.gamma, rel=1e-6)
