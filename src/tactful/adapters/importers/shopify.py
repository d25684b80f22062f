"""Shopify's orders export CSV: one row per line item, order fields on the order's first row.

Rows are grouped by `Name` (#1001), and the order's `Id` (Shopify's own order id, when the
export has it) is kept so Shopify's refund webhooks find the order. The customer is the
`Email` (lower-cased), a blank one is a guest; their country is the billing (else the
shipping) one. Cancelled orders (`Cancelled at` set) and refunded or voided ones are
skipped and counted; a line item without a SKU uses its name.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
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

REQUIRED = ("Name", "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price")
COUNTRIES = ("Billing Country", "Shipping Country")
OPTIONAL = (
    "Email", "Lineitem sku", "Currency", "Cancelled at", "Financial Status", "Id", *COUNTRIES
)  # fmt: skip
ORDER_FIELDS = (
    "Email", "Created at", "Currency", "Cancelled at", "Financial Status", "Id", *COUNTRIES
)  # fmt: skip
ORDER_COLUMN = "Name"
_SKIPPED_STATUS = {"refunded": "refunded", "voided": "voided"}


def read_shopify(
    path: Path, options: ImportOptions, progress: Progress | None = None
) -> Iterator[Record]:
    """One record per data row of a Shopify orders export."""
    fields = FieldParser(path, options)
    with open_text(path) as (text, position, size):
        rows = csv.reader(text)
        try:
            header = next(rows, None)
            if header is None:
                raise ImportFileError(path, 1, None, "empty file: no header line")
            index = column_index(path, header, REQUIRED, OPTIONAL)
            carried: dict[str, str] = {}
            current = ""
            for count, row in enumerate(rows, start=1):
                line = rows.line_num
                if not any(cell.strip() for cell in row):
                    yield Skipped(line, "blank_line")
                    continue
                values = _values(row, index, fields, line)
                if values["Name"] != current:
                    current, carried = values["Name"], {}
                for name in ORDER_FIELDS:
                    values[name] = values[name] or carried.get(name, "")
                    carried[name] = values[name]
                yield _record(values, line, fields)
                if count % PROGRESS_EVERY == 0:
                    report(progress, position, size)
        except csv.Error as exc:
            raise ImportFileError(path, rows.line_num, None, f"broken CSV: {exc}") from None
        report(progress, position, size)


def _values(
    row: Sequence[str], index: dict[str, int], fields: FieldParser, line: int
) -> dict[str, str]:
    values: dict[str, str] = {}
    for name in (*REQUIRED, *OPTIONAL):
        position = index.get(name)
        if position is not None and position >= len(row):
            raise fields.error(line, name, f"row has only {len(row)} columns")
        values[name] = row[position].strip() if position is not None else ""
    return values


def _record(values: dict[str, str], line: int, fields: FieldParser) -> Record:
    if not values["Name"]:
        raise fields.error(line, "Name", "empty order name")
    if values["Cancelled at"]:
        return Skipped(line, "cancelled")
    status = _SKIPPED_STATUS.get(values["Financial Status"].lower())
    if status:
        return Skipped(line, status)
    quantity = fields.integer(values["Lineitem quantity"], line, "Lineitem quantity")
    if quantity <= 0:
        return Skipped(line, "negative_quantity")
    currency = values["Currency"] or None
    price = fields.money(values["Lineitem price"], line, "Lineitem price", currency)
    if price.amount < 0:
        return Skipped(line, "negative_price")
    created = fields.time(values["Created at"], line, "Created at")
    name = values["Lineitem name"]
    sku = values["Lineitem sku"] or name
    if not sku:
        raise fields.error(line, "Lineitem sku", "line item has neither SKU nor name")
    email = values["Email"].lower() or None
    platform_id = values["Id"] or None
    country = next((values[c] for c in COUNTRIES if values[c]), None) if email else None
    return ParsedLine(
        line,
        values["Name"],
        created,
        email,
        sku,
        name,
        quantity,
        price,
        email,
        platform_id,
        country,
    )
