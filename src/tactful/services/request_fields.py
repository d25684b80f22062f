"""Field types every request body shares: identifiers and times, checked the same everywhere."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import Field

MAX_IDENTIFIER = 128
Identifier = Annotated[
    str, Field(min_length=1, max_length=MAX_IDENTIFIER, pattern=r"^[^\x00-\x1f]+$")
]


def as_utc(value: datetime) -> datetime:
    """Naive datetimes are read as UTC; aware ones are converted."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
