"""Field types every request body shares: identifiers and times, checked the same everywhere."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import Field

MAX_IDENTIFIER = 128
# PostgreSQL text cannot hold NUL: such input is refused with 422 naming the field, not a 500.
NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f]+$"
NO_NUL = r"^[^\x00]*$"
Identifier = Annotated[
    str, Field(min_length=1, max_length=MAX_IDENTIFIER, pattern=NO_CONTROL_CHARACTERS)
]


def as_utc(value: datetime) -> datetime:
    """Naive datetimes are read as UTC; aware ones are converted.

    A time whose UTC reading falls outside years 1 to 9999 (0001-01-01T00:00+03:00) is a
    ValueError, which request validation answers with 422 naming the field.
    """
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range once read as UTC") from None
