"""Convert the CDNOW purchase files into tactful's orders-csv, one order per purchase.

    python scripts/cdnow_to_orders_csv.py ../shared/data/cdnow/CDNOW_sample.txt cdnow.csv

CDNOW_master.txt has a header and (customer, date, cds, dollars); CDNOW_sample.txt has no
header and (master customer, sample customer, date, cds, dollars): the sample's customer id
is used, as in the published summaries. Each purchase becomes one line of SKU `CD` at its
dollar value (quantity 1, so the total is exact; the number of CDs goes into the name).
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path

HEADER = ("order_id", "customer_id", "created_at", "sku", "name", "quantity", "unit_price")


def purchases(path: Path) -> Iterator[tuple[str, str, str, str]]:
    """(customer id, YYYYMMDD, number of CDs, dollars) for every purchase of a CDNOW file."""
    with path.open(encoding="ascii") as lines:
        for number, line in enumerate(lines, start=1):
            cells = line.split()
            if not cells or cells[0] == "customer_id":
                continue
            if len(cells) == 5:
                cells = cells[1:]
            if len(cells) != 4:
                raise ValueError(f"{path}, line {number}: expected 4 or 5 columns")
            customer, ymd, cds, dollars = cells
            yield str(int(customer)), ymd, cds, dollars


def convert(source: Path, target: Path) -> int:
    """Write `target` as orders-csv; returns the number of orders written."""
    count = 0
    with target.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for count, (customer, ymd, cds, dollars) in enumerate(purchases(source), start=1):
            day = f"{ymd[:4]}-{ymd[4:6]}-{ymd[6:]}"
            writer.writerow((f"cdnow-{count}", customer, day, "CD", f"{cds} CDs", 1, dollars))
    return count


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    written = convert(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"{written} orders written to {sys.argv[2]}")
