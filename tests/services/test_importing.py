"""Import service on SQLite and PostgreSQL: counts add up, re-import changes nothing,
bad input leaves the database as it was."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from tactful.adapters.db.repositories.catalog import get_products, price_history, upsert_products
from tactful.adapters.db.repositories.orders import count_rows
from tactful.adapters.db.tables import customers
from tactful.adapters.db.transaction import SqlDatabase
from tactful.adapters.importers import FileReaders, ImportFileError, ImportOptions
from tactful.adapters.memory import MemoryDatabase
from tactful.domain.catalog import Product, ProductKind, Sku
from tactful.domain.money import Money
from tactful.services.demo import sample_file
from tactful.services.importing import ImportSummary, PriceUnit, import_file
from tests.adapters.importers.test_readers import RETAIL_HEADER, RETAIL_ROWS

PRICE_CHANGES = (
    "536400,P1,PEN,1,2010-12-02 08:00:00,1.00,1.0,UK\n"
    "536401,P1,PEN,1,2010-12-03 08:00:00,0.80,1.0,UK\n"
    "536402,P1,PEN BLUE,1,2010-12-04 08:00:00,0.80,2.0,UK\n"
    "536403,P1,,1,2010-12-05 08:00:00,1.00,,UK\n"
)

DATA_TABLES = ("products", "price_history", "customers", "orders", "order_lines")


def retail_file(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "retail.csv"
    path.write_text(RETAIL_HEADER + RETAIL_ROWS + PRICE_CHANGES + extra, encoding="utf-8")
    return path


def data_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        counts = count_rows(conn)
    return {name: counts[name] for name in DATA_TABLES}


def test_counts_add_up_and_guests_are_imported(engine: Engine, tmp_path: Path) -> None:
    summary = import_file(
        SqlDatabase(engine), FileReaders(), retail_file(tmp_path), "online-retail"
    )
    assert summary.lines_read == 12
    assert summary.lines_read == summary.lines_imported + summary.lines_skipped
    assert summary.skipped == {
        "cancellation": 1,
        "negative_quantity": 1,
        "non_product": 2,
        "zero_price": 1,
    }
    assert (summary.orders_new, summary.lines_new, summary.order_lines) == (6, 7, 7)
    assert summary.guest_orders == 2
    assert (summary.products_new, summary.customers_new) == (4, 3)
    assert data_counts(engine) == {
        "products": 4,
        "price_history": 3 + 3,
        "customers": 3,
        "orders": 6,
        "order_lines": 7,
    }


def test_latest_price_and_name_win_and_changes_are_history(engine: Engine, tmp_path: Path) -> None:
    import_file(SqlDatabase(engine), FileReaders(), retail_file(tmp_path), "online-retail")
    with engine.connect() as conn:
        pen = get_products(conn, ["P1"])["P1"]
        history = price_history(conn, ["P1"])["P1"]
    assert (pen.name, pen.price) == ("PEN BLUE", Money(100, "GBP"))
    assert [p.price.amount for p in history] == [100, 80, 100]
    assert [p.effective_at.day for p in history] == [2, 3, 5]


def test_reimport_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    path = retail_file(tmp_path)
    first = import_file(SqlDatabase(engine), FileReaders(), path, "online-retail")
    before = data_counts(engine)
    again = import_file(SqlDatabase(engine), FileReaders(), path, "online-retail")
    assert data_counts(engine) == before
    assert (again.orders_new, again.orders_existing) == (0, first.orders_new)
    assert (again.lines_new, again.products_new, again.products_updated) == (0, 0, 0)
    assert (again.customers_new, again.price_points_new) == (0, 0)
    assert again.lines_read == again.lines_imported + again.lines_skipped


def test_import_keeps_what_the_merchant_set(engine: Engine, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    merchant = Product(Sku("P1"), "Pen", Money(90, "GBP"), kind=ProductKind.DIGITAL)
    with engine.begin() as conn:
        upsert_products(conn, [merchant], at=datetime(2010, 1, 1, tzinfo=UTC))
    summary = import_file(
        SqlDatabase(engine), FileReaders(), retail_file(tmp_path), "online-retail"
    )
    with engine.connect() as conn:
        pen = get_products(conn, ["P1"])["P1"]
    assert (summary.products_new, summary.products_updated) == (3, 1)
    assert (pen.kind, pen.price.amount) == (ProductKind.DIGITAL, 100)


def test_bad_line_rolls_everything_back(engine: Engine, tmp_path: Path) -> None:
    import_file(SqlDatabase(engine), FileReaders(), retail_file(tmp_path), "online-retail")
    before = data_counts(engine)
    bad = tmp_path / "bad" / "retail.csv"
    bad.parent.mkdir()
    more = (
        "600001,NEW1,NEW,1,2011-01-01 08:00:00,1.00,9.0,UK\n"
        "600002,NEW2,X,1,2011-13-01 08:00:00,1.0,,UK\n"
    )
    bad.write_text(RETAIL_HEADER + more, encoding="utf-8")
    with pytest.raises(ImportFileError) as caught:
        import_file(SqlDatabase(engine), FileReaders(), bad, "online-retail", batch_lines=1)
    assert (caught.value.line, caught.value.column) == (3, "InvoiceDate")
    assert data_counts(engine) == before


def test_missing_file_and_unknown_format(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="no such file"):
        import_file(SqlDatabase(engine), FileReaders(), tmp_path / "nope.csv", "online-retail")
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        import_file(SqlDatabase(engine), FileReaders(), retail_file(tmp_path), "xml")


def test_baskets_and_orders_csv_import(engine: Engine, tmp_path: Path) -> None:
    baskets = tmp_path / "groceries.csv"
    baskets.write_text("milk,bread\nbeer\n", encoding="utf-8")
    summary = import_file(
        SqlDatabase(engine),
        FileReaders(),
        baskets,
        "baskets",
        options=ImportOptions(currency="EUR"),
    )
    assert (summary.lines_read, summary.orders_new, summary.lines_new) == (2, 2, 3)
    assert summary.lines_imported == 2
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,sku,created_at,customer_id,unit_price\n"
        "o1,milk,2024-01-01T09:00:00Z,c1,1.20\n"
        "o1,jam,2024-01-01T09:00:00Z,c1,2.00\n",
        encoding="utf-8",
    )
    summary = import_file(
        SqlDatabase(engine),
        FileReaders(),
        orders,
        "orders-csv",
        options=ImportOptions(currency="EUR"),
    )
    # milk was stamped by the baskets import (now); 2024 orders are older and do not win
    assert (summary.orders_new, summary.products_new, summary.products_unchanged) == (1, 1, 1)


@pytest.mark.slow
def test_packaged_sample_imports_with_counts_that_add_up(engine: Engine) -> None:
    with sample_file() as path:
        summary = import_file(SqlDatabase(engine), FileReaders(), path, "online-retail")
    assert summary.lines_read == 84_711
    assert summary.lines_read == summary.lines_imported + summary.lines_skipped
    assert data_counts(engine)["order_lines"] == summary.lines_new == summary.lines_imported
    with engine.connect() as conn:  # the demo's customers have the sample's countries
        countries = dict(
            conn.execute(
                sa.select(customers.c.country, sa.func.count()).group_by(customers.c.country)
            ).all()
        )
    assert countries.get(None, 0) == 0
    assert {"GB", "FR", "DE", "IE"} <= set(countries)  # ISO codes, EIRE's too
    assert max(countries, key=lambda name: countries[name]) == "GB"


def comparable(summary: ImportSummary) -> dict[str, object]:
    """A summary without what differs per run (its id and how long it took)."""
    return {k: v for k, v in summary.to_dict().items() if k not in {"import_id", "seconds"}}


def test_the_memory_database_imports_with_the_same_summaries(
    engine: Engine, tmp_path: Path
) -> None:
    path = retail_file(tmp_path)
    memory = MemoryDatabase()
    for _ in ("first", "again"):
        stored = import_file(SqlDatabase(engine), FileReaders(), path, "online-retail")
        held = import_file(memory, FileReaders(), path, "online-retail", batch_lines=2)
        assert comparable(held) == comparable(stored)
    with memory.transaction() as tx:
        assert {k: tx.orders.count_rows()[k] for k in DATA_TABLES} == data_counts(engine)


SOFA_ORDERS = (
    "order_id,sku,created_at,unit_price\n"
    "o1,SOFA,2024-01-01T09:00:00Z,49900\n"
    "o2,LAMP,2024-01-02T09:00:00Z,2500\n"
    "o3,RUG,2024-01-03T09:00:00Z,9900\n"
)


def catalogue_in_minor_units(engine: Engine) -> None:
    """Products as the API stores them: £499.00, £25.00 and £99.00 in pence."""
    products = [
        Product(Sku(sku), sku.title(), Money(pence, "GBP"))
        for sku, pence in (("SOFA", 49_900), ("LAMP", 2_500), ("RUG", 9_900))
    ]
    with engine.begin() as conn:
        upsert_products(conn, products, at=datetime(2023, 1, 1, tzinfo=UTC))


def test_minor_units_file_matches_the_api_and_raises_no_warning(
    engine: Engine, tmp_path: Path
) -> None:
    catalogue_in_minor_units(engine)
    path = tmp_path / "orders.csv"
    path.write_text(SOFA_ORDERS, encoding="utf-8")
    options = ImportOptions(price_unit=PriceUnit.MINOR)
    summary = import_file(SqlDatabase(engine), FileReaders(), path, "orders-csv", options=options)
    assert summary.warnings == ()
    with engine.connect() as conn:
        assert get_products(conn, ["SOFA"])["SOFA"].price == Money(49_900, "GBP")
    with SqlDatabase(engine).transaction() as tx:
        assert tx.orders.get_orders(["o1"])["o1"].lines[0].unit_price == Money(49_900, "GBP")


def test_prices_100x_off_from_the_catalogue_are_warned_about(
    engine: Engine, tmp_path: Path
) -> None:
    catalogue_in_minor_units(engine)
    path = tmp_path / "orders.csv"
    path.write_text(SOFA_ORDERS, encoding="utf-8")
    summary = import_file(SqlDatabase(engine), FileReaders(), path, "orders-csv")
    (warning,) = summary.warnings
    assert "100x higher" in warning
    assert "--price-unit minor" in warning
    assert summary.to_dict()["warnings"] == (warning,)
    with engine.connect() as conn:
        assert get_products(conn, ["SOFA"])["SOFA"].price == Money(4_990_000, "GBP")
