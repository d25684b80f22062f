"""An order export as tactful reads it: parsed lines, counted skips, options and errors.

Readers of each file format (`tactful.adapters.importers`) produce these records;
`tactful.domain.order_grouping` turns them into orders and `services.importing` stores them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
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


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file line left out on purpose, with the reason it is counted under."""

    line_no: int
    reason: str


Record = ParsedLine | Skipped


@dataclass(frozen=True)
class ImportOptions:
    """Choices a file does not carry itself."""

    currency: str = "GBP"
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


Reader = Callable[[Path, ImportOptions, Progress | None], Iterator[Record]]
"""Reads one file format: one record per order line (or a counted skip), streaming."""
