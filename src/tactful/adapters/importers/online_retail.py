"""UCI Online Retail (CSV or XLSX): a real gift wholesaler's invoices, 2010-2011.

Cancellations, non-positive quantities, zero prices and non-product codes (postage, manual
adjustments, bank charges, vouchers) are skipped and counted by reason. Lines without a
CustomerID are real purchases by guests and are imported as guest orders.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

from tactful.adapters.importers._base import (
    PROGRESS_EVERY,
    FieldParser,
    ImportFileError,
    ImportOptions,
    ParsedLine,
    Progress,
    Record,
    Skipped,
    column_index,
    open_text,
    report,
)

COLUMNS = (
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
)

# Stock codes that are not goods: postage, carriage, fees, manual entries, samples, discounts.
NON_PRODUCT_CODES = frozenset(
    {
        "POST",
        "DOT",
        "M",
        "D",
        "C2",
        "S",
        "B",
        "CRUK",
        "PADS",
        "BANK CHARGES",
        "AMAZONFEE",
        "ADJUST",
        "ADJUST2",
        "TEST001",
        "TEST002",
    }
)
COUNTRY = "Country"
ORDER_COLUMN = "InvoiceNo"
# Online Retail's word for a country it does not know.
_NO_COUNTRY = frozenset({"", "Unspecified"})


def is_non_product(code: str) -> bool:
    """Whether a stock code is a fee, adjustment or voucher rather than goods."""
    return code.upper() in NON_PRODUCT_CODES or code.lower().startswith("gift_")


def read_online_retail(
    path: Path, options: ImportOptions, progress: Progress | None = None
) -> Iterator[Record]:
    """One record per data line of an Online Retail export (.csv, .csv.gz or .xlsx)."""
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _read_xlsx(path, options, progress)
    return _read_csv(path, options, progress)


def _read_csv(path: Path, options: ImportOptions, progress: Progress | None) -> Iterator[Record]:
    fields = FieldParser(path, options)
    with open_text(path) as (text, position, size):
        rows = csv.reader(text)
        try:
            header = next(rows, None)
            if header is None:
                raise ImportFileError(path, 1, None, "empty file: no header line")
            classify = _classifier(fields, column_index(path, header, COLUMNS, (COUNTRY,)))
            for count, row in enumerate(rows, start=1):
                yield classify(row, rows.line_num)
                if count % PROGRESS_EVERY == 0:
                    report(progress, position, size)
        except csv.Error as exc:
            raise ImportFileError(path, rows.line_num, None, f"broken CSV: {exc}") from None
        report(progress, position, size)


def _customer(text: str) -> str | None:
    value = text.strip()
    if value.endswith(".0"):
        value = value[:-2]
    return value or None


def _country(row: Sequence[str], position: int | None) -> str | None:
    if position is None or position >= len(row):
        return None
    value = row[position].strip()
    return None if value in _NO_COUNTRY else value


def _classifier(
    fields: FieldParser, cols: dict[str, int]
) -> Callable[[Sequence[str], int], Record]:
    """A function turning one row into a ParsedLine or a counted skip."""
    i_inv, i_code, i_desc, i_qty, i_date, i_price, i_cust = (cols[c] for c in COLUMNS)
    i_country = cols.get(COUNTRY)
    width = max(cols[c] for c in COLUMNS) + 1
    non_product: dict[str, bool] = {}

    def classify(row: Sequence[str], line: int) -> Record:
        if len(row) < width:
            if not any(cell.strip() for cell in row):
                return Skipped(line, "blank_line")
            raise fields.error(line, None, f"expected {width} columns, found {len(row)}")
        invoice = row[i_inv].strip()
        if not invoice:
            raise fields.error(line, "InvoiceNo", "empty invoice number")
        if invoice[0] in "Cc":
            return Skipped(line, "cancellation")
        code = row[i_code].strip()
        if not code:
            raise fields.error(line, "StockCode", "empty stock code")
        skip = non_product.get(code)
        if skip is None:
            skip = non_product[code] = is_non_product(code)
        if skip:
            return Skipped(line, "non_product")
        quantity = fields.integer(row[i_qty], line, "Quantity")
        if quantity <= 0:
            return Skipped(line, "negative_quantity")
        price = fields.money(row[i_price], line, "UnitPrice")
        if price.amount <= 0:
            return Skipped(line, "zero_price" if price.amount == 0 else "negative_price")
        created = fields.time(row[i_date], line, "InvoiceDate")
        name = row[i_desc].strip()
        customer = _customer(row[i_cust])
        return ParsedLine(
            line,
            invoice,
            created,
            customer,
            code,
            name,
            quantity,
            price,
            country=_country(row, i_country) if customer else None,
        )

    return classify


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _read_xlsx(path: Path, options: ImportOptions, progress: Progress | None) -> Iterator[Record]:
    from openpyxl import load_workbook

    fields = FieldParser(path, options)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise ImportFileError(path, 0, None, f"not a readable XLSX workbook ({exc})") from None
    try:
        sheet = book.worksheets[0]
        total = int(sheet.max_row or 0)
        size = path.stat().st_size
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise ImportFileError(path, 1, None, "empty sheet: no header row")
        cols = column_index(path, [_cell_text(v) for v in header], COLUMNS, (COUNTRY,))
        classify = _classifier(fields, cols)
        for line, values in enumerate(rows, start=2):
            yield classify([_cell_text(v) for v in values], line)
            if progress is not None and line % PROGRESS_EVERY == 0 and total:
                progress(min(size, size * line // total), size)
        if progress is not None:
            progress(size, size)
    finally:
        book.close()
