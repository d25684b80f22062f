"""A generic orders CSV: one row per order line, columns named by a mapping.

Fields and the column each is read from by default (override with `--map field=Column`):

| field | default column | required | meaning |
|---|---|---|---|
| order_id | order_id | yes | rows with the same id form one order |
| sku | sku | yes | product id |
| created_at | created_at | yes | ISO 8601 time (naive times are read in `--timezone`) |
| quantity | quantity | no (1) | whole number; rows with quantity <= 0 are skipped |
| unit_price | unit_price | no (0) | 12.50, or 1250 with `--price-unit minor` |
| customer_id | customer_id | no (guest) | empty means a guest order |
| email | email | no | the customer's email |
| name | name | no (sku) | product name |
| currency | currency | no (`--currency`) | ISO 4217 code |
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping, Sequence
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

REQUIRED = ("order_id", "sku", "created_at")
OPTIONAL = ("quantity", "unit_price", "customer_id", "email", "name", "currency")
FIELDS = REQUIRED + OPTIONAL


def resolve_mapping(mapping: Mapping[str, str]) -> dict[str, str]:
    """Field -> column name, defaults filled in; an unknown field name is an error."""
    unknown = set(mapping) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown field(s) {sorted(unknown)} in --map; known: {list(FIELDS)}")
    return {name: mapping.get(name, name) for name in FIELDS}


def order_column(options: ImportOptions) -> str:
    """The column that holds the order id."""
    return resolve_mapping(options.mapping)["order_id"]


def read_orders_csv(
    path: Path, options: ImportOptions, progress: Progress | None = None
) -> Iterator[Record]:
    """One record per data row of a generic orders CSV."""
    columns = resolve_mapping(options.mapping)
    fields = FieldParser(path, options)
    with open_text(path) as (text, position, size):
        rows = csv.reader(text)
        try:
            header = next(rows, None)
            if header is None:
                raise ImportFileError(path, 1, None, "empty file: no header line")
            found = column_index(
                path, header, [columns[f] for f in REQUIRED], [columns[f] for f in OPTIONAL]
            )
            index = {f: found[columns[f]] for f in FIELDS if columns[f] in found}
            for count, row in enumerate(rows, start=1):
                yield _record(row, rows.line_num, index, columns, fields)
                if count % PROGRESS_EVERY == 0:
                    report(progress, position, size)
        except csv.Error as exc:
            raise ImportFileError(path, rows.line_num, None, f"broken CSV: {exc}") from None
        report(progress, position, size)


def _record(
    row: Sequence[str],
    line: int,
    index: dict[str, int],
    columns: dict[str, str],
    fields: FieldParser,
) -> Record:
    if not any(cell.strip() for cell in row):
        return Skipped(line, "blank_line")

    def cell(name: str) -> str:
        position = index.get(name)
        if position is None:
            return ""
        if position >= len(row):
            raise fields.error(line, columns[name], f"row has only {len(row)} columns")
        return row[position].strip()

    order_id, sku = cell("order_id"), cell("sku")
    for name, value in (("order_id", order_id), ("sku", sku)):
        if not value:
            raise fields.error(line, columns[name], f"empty {name}")
    quantity = fields.integer(cell("quantity") or "1", line, columns["quantity"])
    if quantity <= 0:
        return Skipped(line, "negative_quantity")
    currency = cell("currency") or None
    price = fields.money(cell("unit_price") or "0", line, columns["unit_price"], currency)
    if price.amount < 0:
        return Skipped(line, "negative_price")
    created = fields.time(cell("created_at"), line, columns["created_at"])
    email = cell("email") or None
    customer = cell("customer_id") or None
    return ParsedLine(line, order_id, created, customer, sku, cell("name"), quantity, price, email)
