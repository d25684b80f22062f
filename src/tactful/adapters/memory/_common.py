"""What the memory stores share: the SQL stores' rules for times and batches."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from datetime import UTC, datetime
from typing import TypeVar

T = TypeVar("T")


def utc(moment: datetime) -> datetime:
    """The same moment as an aware UTC datetime (a naive one is taken to be UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def last_by(items: Iterable[T], key: Callable[[T], Hashable]) -> list[T]:
    """One item per key, the last given winning (a batch that names a key twice)."""
    return list({key(item): item for item in items}.values())


def check_fields(fields: Iterable[str], known: tuple[str, ...], what: str) -> tuple[str, ...]:
    """The fields an upsert may overwrite; ValueError names the unknown ones."""
    chosen = tuple(fields)
    unknown = set(chosen) - set(known)
    if unknown:
        raise ValueError(f"unknown {what} fields {sorted(unknown)}")
    return chosen
