"""What a batch write stored: counts that add together across batches."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    """How many rows an upsert created, changed and found already as given."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(
            self.created + other.created,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )


@dataclass(frozen=True, slots=True)
class InsertCounts:
    """What an order insert stored: new orders, orders already present, new lines."""

    orders_new: int = 0
    orders_existing: int = 0
    lines_new: int = 0

    def __add__(self, other: InsertCounts) -> InsertCounts:
        return InsertCounts(
            self.orders_new + other.orders_new,
            self.orders_existing + other.orders_existing,
            self.lines_new + other.lines_new,
        )


@dataclass(frozen=True, slots=True)
class EventCounts:
    """How many events of a batch were new and how many had been stored before."""

    accepted: int
    duplicate: int
