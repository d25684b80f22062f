"""A plain baskets file: one basket per line, comma-separated item ids (arules Groceries).

There are no prices (price 0 in `--currency`), customers or times: each basket becomes a
guest order `<prefix><line number>` at the import's time. A blank line is an error unless
`--skip-blank`, which counts it instead.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from tactful.adapters.importers._base import (
    PROGRESS_EVERY,
    ImportFileError,
    ImportOptions,
    ParsedLine,
    Progress,
    Record,
    Skipped,
    open_text,
    report,
)
from tactful.domain.money import Money, check_currency

ORDER_COLUMN = "basket"


def read_baskets_file(
    path: Path, options: ImportOptions, progress: Progress | None = None
) -> Iterator[Record]:
    """One record per item of each basket line (a line's items share its line number)."""
    if options.at is None:
        raise ValueError("a baskets import needs the time to give its orders (options.at)")
    at = options.at
    zero = Money(0, check_currency(options.currency))
    prefix = options.order_prefix if options.order_prefix is not None else f"{path.stem}:"
    with open_text(path) as (text, position, size):
        rows = csv.reader(text)
        try:
            for count, row in enumerate(rows, start=1):
                line = rows.line_num
                items = Counter(cell.strip() for cell in row if cell.strip())
                if not items:
                    if options.skip_blank:
                        yield Skipped(line, "blank_line")
                        continue
                    reason = "blank line: an empty basket (use --skip-blank to count and skip it)"
                    raise ImportFileError(path, line, None, reason)
                for sku, quantity in items.items():
                    yield ParsedLine(line, f"{prefix}{count}", at, None, sku, sku, quantity, zero)
                if count % PROGRESS_EVERY == 0:
                    report(progress, position, size)
        except csv.Error as exc:
            raise ImportFileError(path, rows.line_num, None, f"broken CSV: {exc}") from None
        report(progress, position, size)
