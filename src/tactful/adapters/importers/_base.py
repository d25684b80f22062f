"""What every importer shares: parsed records, options, errors and cached field parsers."""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, cast

from tactful.domain.imports import ImportFileError as ImportFileError
from tactful.domain.imports import ImportOptions as ImportOptions
from tactful.domain.imports import ParsedLine as ParsedLine
from tactful.domain.imports import PriceUnit
from tactful.domain.imports import Progress as Progress
from tactful.domain.imports import Record as Record
from tactful.domain.imports import Skipped as Skipped
from tactful.domain.money import Money, check_currency, parse_minor

PROGRESS_EVERY = 4096


@contextmanager
def open_text(path: Path) -> Iterator[tuple[IO[str], Callable[[], int], int]]:
    """The file as text (gzip when it ends in .gz), its read position in bytes and its size."""
    size = path.stat().st_size
    raw = path.open("rb")
    binary = gzip.GzipFile(fileobj=raw) if path.suffix == ".gz" else raw
    text = io.TextIOWrapper(cast(IO[bytes], binary), encoding="utf-8-sig", newline="")
    try:
        yield text, raw.tell, size
    except UnicodeDecodeError as exc:
        raise ImportFileError(path, 0, None, f"not UTF-8 text ({exc.reason})") from None
    except (gzip.BadGzipFile, EOFError) as exc:
        raise ImportFileError(path, 0, None, f"broken gzip file ({exc})") from None
    finally:
        text.close()
        raw.close()


def column_index(
    path: Path, header: Sequence[str], wanted: Sequence[str], optional: Sequence[str] = ()
) -> dict[str, int]:
    """Positions of the named columns; a missing required one is an error on line 1."""
    positions = {name.strip(): i for i, name in enumerate(header)}
    found: dict[str, int] = {}
    for name in (*wanted, *optional):
        if name in positions:
            found[name] = positions[name]
        elif name in wanted:
            raise ImportFileError(path, 1, name, f"missing column (header has {list(positions)})")
    return found


class FieldParser:
    """Parses numbers, prices and times with caches: exports repeat the same strings a lot."""

    def __init__(self, path: Path, options: ImportOptions) -> None:
        self.path = path
        self.zone = options.zone()
        self.default_currency = check_currency(options.currency)
        self.minor_units = options.price_unit is PriceUnit.MINOR
        self._money: dict[tuple[str, str], Money] = {}
        self._times: dict[str, datetime] = {}

    def error(self, line: int, column: str | None, reason: str) -> ImportFileError:
        """An error for this file."""
        return ImportFileError(self.path, line, column, reason)

    def integer(self, text: str, line: int, column: str) -> int:
        """A whole number such as a quantity."""
        try:
            return int(text)
        except ValueError:
            raise self.error(line, column, f"not a whole number: {text!r}") from None

    def money(self, text: str, line: int, column: str, currency: str | None = None) -> Money:
        """A price in minor units: '2.55' reads as 255, or '255' with --price-unit minor."""
        code = currency or self.default_currency
        key = (text, code)
        cached = self._money.get(key)
        if cached is not None:
            return cached
        try:
            value = Money(self._minor(text, code), code)
        except ValueError as exc:
            raise self.error(line, column, str(exc)) from None
        self._money[key] = value
        return value

    def _minor(self, text: str, currency: str) -> int:
        if not self.minor_units:
            return parse_minor(text, currency)
        try:
            return int(text.strip())
        except ValueError:
            raise ValueError(
                f"not a whole number of minor units: {text!r} (--price-unit minor)"
            ) from None

    def time(self, text: str, line: int, column: str) -> datetime:
        """A timestamp; naive times are read in the import's time zone."""
        cached = self._times.get(text)
        if cached is not None:
            return cached
        parsed = parse_time(text)
        if parsed is None:
            raise self.error(line, column, f"not a date and time: {text!r}")
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=self.zone)
        parsed = parsed.astimezone(UTC)
        self._times[text] = parsed
        return parsed


_FORMATS = ("%Y-%m-%d %H:%M:%S %z", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y")


def parse_time(text: str) -> datetime | None:
    """ISO 8601, Shopify's '2019-01-22 10:43:25 -0500' or UCI's '12/1/2010 8:26'; else None."""
    value = text.strip()
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    for pattern in _FORMATS:
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            continue
    return None


def report(progress: Progress | None, position: Callable[[], int], size: int) -> None:
    """Tell the progress callback how far reading got."""
    if progress is not None:
        progress(min(position(), size), size)
