"""Importers read real export layouts line by line and name bad input precisely."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tactful.adapters.importers import (
    ImportFileError,
    ImportOptions,
    ParsedLine,
    Skipped,
    group_orders,
    reader_for,
)
from tactful.domain.imports import PriceUnit
from tactful.domain.money import Money

RETAIL_HEADER = (
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
)
RETAIL_ROWS = (
    "536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n"
    "536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom\n"
    "C536379,D,Discount,-1,2010-12-01 09:41:00,27.5,14527.0,United Kingdom\n"
    "536370,POST,POSTAGE,3,2010-12-01 08:45:00,18.0,12583.0,France\n"
    "536414,22139,,56,2010-12-01 11:52:00,0.0,,United Kingdom\n"
    "536589,21777,damaged,-10,2010-12-01 16:50:00,0.0,,United Kingdom\n"
    "536544,21773,DECORATIVE ROSE BATHROOM BOTTLE,1,2010-12-01 14:32:00,2.51,,United Kingdom\n"
    "536370,gift_0001_20,voucher,1,2010-12-01 08:45:00,16.67,12583.0,France\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def read(path: Path, fmt: str, **options: object) -> list[ParsedLine | Skipped]:
    opts = ImportOptions(**options)  # type: ignore[arg-type]
    return list(reader_for(fmt)(path, opts, None))


def test_online_retail_lines_and_skip_reasons(tmp_path: Path) -> None:
    records = read(write(tmp_path, "r.csv", RETAIL_HEADER + RETAIL_ROWS), "online-retail")
    skips = [r.reason for r in records if isinstance(r, Skipped)]
    lines = [r for r in records if isinstance(r, ParsedLine)]
    assert skips == [
        "cancellation",
        "non_product",
        "zero_price",
        "negative_quantity",
        "non_product",
    ]
    assert [(ln.order_id, ln.sku, ln.quantity) for ln in lines] == [
        ("536365", "85123A", 6),
        ("536365", "71053", 6),
        ("536544", "21773", 1),
    ]
    first = lines[0]
    assert first.customer_id == "17850"
    assert first.unit_price == Money(255, "GBP")
    assert first.created_at == datetime(2010, 12, 1, 8, 26, tzinfo=UTC)
    assert first.country == "United Kingdom"
    assert lines[2].customer_id is None
    assert lines[2].country is None  # a guest's country belongs to no customer
    assert [r.line_no for r in records] == list(range(2, 10))


def test_gzip_and_time_zone_and_currency_options(tmp_path: Path) -> None:
    path = tmp_path / "r.csv.gz"
    path.write_bytes(gzip.compress((RETAIL_HEADER + RETAIL_ROWS).encode()))
    records = read(path, "online-retail", currency="EUR", timezone="Europe/London")
    line = next(r for r in records if isinstance(r, ParsedLine))
    assert line.unit_price == Money(255, "EUR")
    assert line.created_at == datetime(2010, 12, 1, 8, 26, tzinfo=UTC)  # GMT in December


def test_online_retail_xlsx(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(RETAIL_HEADER.strip().split(","))
    sheet.append([536365, "85123A", "HEART", 6, datetime(2010, 12, 1, 8, 26), 2.55, 17850.0, "UK"])
    sheet.append(["C536379", "D", "Discount", -1, datetime(2010, 12, 1, 9, 41), 27.5, None, "UK"])
    path = tmp_path / "r.xlsx"
    book.save(path)
    records = read(path, "online-retail")
    assert isinstance(records[1], Skipped)
    line = records[0]
    assert isinstance(line, ParsedLine)
    assert (line.order_id, line.customer_id, line.unit_price.amount) == ("536365", "17850", 255)
    assert line.country == "UK"


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("536365,85123A,X,six,2010-12-01 08:26:00,2.55,17850.0,UK", "Quantity", "whole number"),
        ("536365,85123A,X,6,yesterday,2.55,17850.0,UK", "InvoiceDate", "date and time"),
        ("536365,85123A,X,6,2010-12-01 08:26:00,2,55,17850.0,UK", "UnitPrice", "decimal"),
        ("536365,85123A,X", None, "expected 7 columns"),
    ],
)
def test_bad_input_names_file_line_column_and_reason(
    tmp_path: Path, row: str, column: str | None, reason: str
) -> None:
    if column == "UnitPrice":
        row = "536365,85123A,X,6,2010-12-01 08:26:00,2.5.5,17850.0,UK"
    path = write(tmp_path, "bad.csv", RETAIL_HEADER + RETAIL_ROWS + row + "\n")
    with pytest.raises(ImportFileError) as caught:
        read(path, "online-retail")
    error = caught.value
    assert (error.path, error.line, error.column) == (str(path), 10, column)
    assert reason in error.reason
    assert "line 10" in str(error)


def test_missing_column_is_reported_on_the_header(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", "InvoiceNo,StockCode\n1,2\n")
    with pytest.raises(ImportFileError, match="line 1, column 'Description': missing column"):
        read(path, "online-retail")


SHOPIFY = (
    "Name,Email,Financial Status,Currency,Created at,Lineitem quantity,Lineitem name,"
    "Lineitem price,Lineitem sku,Cancelled at\n"
    "#1001,Ann@Example.com,paid,USD,2019-01-22 10:43:25 -0500,2,Mug,12.50,MUG-1,\n"
    "#1001,,,,,1,Lid,3.00,,\n"
    "#1002,,paid,USD,2019-01-23 09:00:00 -0500,1,Mug,12.50,MUG-1,2019-01-24 10:00:00 -0500\n"
    "#1003,bob@example.com,refunded,USD,2019-01-23 09:00:00 -0500,1,Mug,12.50,MUG-1,\n"
)


def test_shopify_groups_rows_by_name_and_carries_order_fields(tmp_path: Path) -> None:
    records = read(write(tmp_path, "orders_export.csv", SHOPIFY), "shopify")
    lines = [r for r in records if isinstance(r, ParsedLine)]
    assert [r.reason for r in records if isinstance(r, Skipped)] == ["cancelled", "refunded"]
    assert [(ln.order_id, ln.sku, ln.quantity) for ln in lines] == [
        ("#1001", "MUG-1", 2),
        ("#1001", "Lid", 1),
    ]
    assert {ln.customer_id for ln in lines} == {"ann@example.com"}
    assert lines[1].created_at == datetime(2019, 1, 22, 15, 43, 25, tzinfo=UTC)
    assert lines[0].unit_price == Money(1250, "USD")


def test_baskets_one_order_per_line_and_blank_lines(tmp_path: Path) -> None:
    at = datetime(2024, 1, 1, tzinfo=UTC)
    path = write(
        tmp_path, "groceries.csv", "citrus fruit,margarine\nwhole milk,whole milk\n\nbeer\n"
    )
    with pytest.raises(ImportFileError, match="line 3: blank line"):
        read(path, "baskets", at=at)
    records = read(path, "baskets", at=at, skip_blank=True)
    lines = [r for r in records if isinstance(r, ParsedLine)]
    assert [(ln.order_id, ln.sku, ln.quantity) for ln in lines] == [
        ("groceries:1", "citrus fruit", 1),
        ("groceries:1", "margarine", 1),
        ("groceries:2", "whole milk", 2),
        ("groceries:4", "beer", 1),
    ]
    assert [r for r in records if isinstance(r, Skipped)] == [Skipped(3, "blank_line")]


def test_orders_csv_with_a_column_mapping(tmp_path: Path) -> None:
    text = (
        "Invoice,Item,When,Qty,Price\n"
        "A1,sku-1,2024-05-01T10:00:00+02:00,2,9.99\n"
        "A1,sku-2,2024-05-01T10:00:00+02:00,0,1\n"
    )
    path = write(tmp_path, "o.csv", text)
    mapping = {
        "order_id": "Invoice",
        "sku": "Item",
        "created_at": "When",
        "quantity": "Qty",
        "unit_price": "Price",
    }
    records = read(path, "orders-csv", mapping=mapping, currency="EUR")
    line = records[0]
    assert isinstance(line, ParsedLine)
    assert (line.order_id, line.sku, line.quantity, line.unit_price) == (
        "A1",
        "sku-1",
        2,
        Money(999, "EUR"),
    )
    assert line.created_at == datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    assert line.customer_id is None
    assert records[1] == Skipped(3, "negative_quantity")
    with pytest.raises(ImportFileError, match="column 'order_id': missing column"):
        read(path, "orders-csv")
    with pytest.raises(ValueError, match="unknown field"):
        read(path, "orders-csv", mapping={"colour": "X"})


def test_grouping_joins_interleaved_lines_and_refuses_far_apart_ones(tmp_path: Path) -> None:
    text = RETAIL_HEADER + (
        "1,X1,a,1,2010-12-01 08:00:00,1.00,1.0,UK\n"
        "2,X2,b,1,2010-12-01 08:01:00,1.00,2.0,UK\n"
        "1,X3,c,1,2010-12-01 08:00:00,1.00,1.0,UK\n"
    )
    path = write(tmp_path, "r.csv", text)
    records = reader_for("online-retail")(path, ImportOptions(), None)
    orders = list(group_orders(records, path=path, order_column="InvoiceNo"))
    assert sorted((g.order.order_id, sorted(g.order.skus)) for g in orders) == [  # type: ignore[union-attr]
        ("1", ["X1", "X3"]),
        ("2", ["X2"]),
    ]
    records = reader_for("online-retail")(path, ImportOptions(), None)
    with pytest.raises(ImportFileError, match="line 4, column 'InvoiceNo'"):
        list(group_orders(records, path=path, order_column="InvoiceNo", window=0))


MINOR_ORDERS = "order_id,sku,created_at,unit_price\no1,SOFA,2024-01-01T09:00:00Z,49900\n"


@pytest.mark.parametrize(
    ("unit", "pence"), [(PriceUnit.DECIMAL, 4_990_000), (PriceUnit.MINOR, 49_900)]
)
def test_price_unit_decides_how_a_price_is_read(
    tmp_path: Path, unit: PriceUnit, pence: int
) -> None:
    path = write(tmp_path, "o.csv", MINOR_ORDERS)
    (line,) = read(path, "orders-csv", price_unit=unit)
    assert isinstance(line, ParsedLine)
    assert line.unit_price == Money(pence, "GBP")


def test_minor_units_must_be_whole(tmp_path: Path) -> None:
    path = write(tmp_path, "o.csv", MINOR_ORDERS.replace("49900", "499.00"))
    with pytest.raises(ImportFileError) as error:
        read(path, "orders-csv", price_unit=PriceUnit.MINOR)
    assert (error.value.line, error.value.column) == (2, "unit_price")
    assert "whole number of minor units" in error.value.reason
    retail = RETAIL_HEADER + "536365,85123A,MUG,6,12/1/2010 8:26,255,17850,UK\n"
    (mug,) = read(write(tmp_path, "r.csv", retail), "online-retail", price_unit=PriceUnit.MINOR)
    assert isinstance(mug, ParsedLine)
    assert mug.unit_price == Money(255, "GBP")


def test_shopify_reads_the_billing_country_else_the_shipping_one(tmp_path: Path) -> None:
    text = (
        "Name,Email,Created at,Lineitem quantity,Lineitem name,Lineitem price,"
        "Billing Country,Shipping Country\n"
        "#1,ann@example.com,2019-01-22 10:43:25 -0500,1,Mug,12.50,CA,US\n"
        "#1,,,1,Lid,3.00,,\n"
        "#2,bob@example.com,2019-01-23 10:43:25 -0500,1,Mug,12.50,,FR\n"
        "#3,,2019-01-23 10:43:25 -0500,1,Mug,12.50,DE,\n"
    )
    records = read(write(tmp_path, "orders_export.csv", text), "shopify")
    found = [(r.order_id, r.country) for r in records if isinstance(r, ParsedLine)]
    assert found == [("#1", "CA"), ("#1", "CA"), ("#2", "FR"), ("#3", None)]
