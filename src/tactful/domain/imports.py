"""An order export as tactful reads it: parsed lines, counted skips, options and errors.

Readers of each file format (`tactful.adapters.importers`) produce these records;
`tactful.domain.order_grouping` turns them into orders and `services.importing` stores them.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tactful.domain.money import Money

Progress = Callable[[int, int], None]
"""Called with (bytes done, bytes in total) as a file is read."""


class ImportFileError(ValueError):
    """Bad input, named by file, line, column and reason; nothing of the file is kept."""

    def __init__(self, path: Path | str, line: int, column: str | None, reason: str) -> None:
        self.path = str(path)
        self.line = line
        self.column = column
        self.reason = reason
        where = f"{self.path}, line {line}" + (f", column {column!r}" if column else "")
        super().__init__(f"{where}: {reason}")


@dataclass(slots=True)
class ParsedLine:
    """One order line read from a file, before it is grouped into its order."""

    line_no: int
    order_id: str
    created_at: datetime
    customer_id: str | None
    sku: str
    name: str
    quantity: int
    unit_price: Money
    email: str | None = None
    platform_id: str | None = None
    """The shop platform's own id of the order (Shopify's export: `Id`), when the file has it."""
    country: str | None = None
    """The customer's country, when the file has it (Online Retail's `Country`)."""


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file line left out on purpose, with the reason it is counted under."""

    line_no: int
    reason: str


Record = ParsedLine | Skipped


class PriceUnit(StrEnum):
    """How a file writes prices: decimals (12.50), or whole minor units (1250) as the API."""

    DECIMAL = "decimal"
    MINOR = "minor"


SCALE_WARNING_RATIO = Fraction(50)
"""A median file/catalogue price ratio this far from 1 (either way) looks like the wrong unit."""


@dataclass(frozen=True)
class ImportOptions:
    """Choices a file does not carry itself."""

    currency: str = "GBP"
    price_unit: PriceUnit = PriceUnit.DECIMAL
    timezone: str = "UTC"
    mapping: dict[str, str] = field(default_factory=dict)
    skip_blank: bool = False
    order_prefix: str | None = None
    at: datetime | None = None

    def zone(self) -> tzinfo:
        """The time zone that naive times in the file are read in."""
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.timezone!r}") from None


def price_scale_warning(pairs: Iterable[tuple[Money, Money]]) -> str | None:
    """A warning when the file's prices look 100x off from the catalogue's, else None.

    `pairs` are (price in the file, catalogue price before the import) for the same SKUs; the
    median ratio over those in one currency with both prices above zero decides.
    """
    ratios = [
        Fraction(new.amount, old.amount)
        for new, old in pairs
        if new.currency == old.currency and new.amount > 0 and old.amount > 0
    ]
    if not ratios:
        return None
    median = Fraction(statistics.median_low(ratios))
    if 1 / SCALE_WARNING_RATIO < median < SCALE_WARNING_RATIO:
        return None
    if median > 1:
        factor, unit, example = median, PriceUnit.MINOR, "minor units, 1250 for 12.50"
    else:
        factor, unit, example = 1 / median, PriceUnit.DECIMAL, "decimals, 12.50"
    way = "higher" if median > 1 else "lower"
    return (
        f"prices look {float(factor):,.0f}x {way} than the catalogue's for the same products "
        f"(median over {len(ratios)} SKUs) and were stored as read; if the file's prices are "
        f"{example}, the option is --price-unit {unit.value}"
    )


Reader = Callable[[Path, ImportOptions, Progress | None], Iterator[Record]]
"""Reads one file format: one record per order line (or a counted skip), streaming."""
