"""`MeasurementRollups` in memory: the same rollups held in dicts, for tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from tactful.adapters.memory._common import utc
from tactful.adapters.memory.database import MemoryDatabase
from tactful.domain.measurement import Exposure, OfferOutcome, merge_exposures, sum_outcomes

__all__ = ["MemoryMeasurementRollups"]


class MemoryMeasurementRollups:
    """`tactful.services.ports.measurement.MeasurementRollups` over a memory database."""

    def __init__(self, database: MemoryDatabase) -> None:
        self.database = database
        self.exposures: dict[date, list[Exposure]] = {}
        self.offers: dict[date, list[OfferOutcome]] = {}
        self.range: tuple[date, date] | None = None

    def rolled_range(self) -> tuple[date, date] | None:
        return self.range

    def rolled_exposures(self, *, first_day: date, end_day: date) -> list[Exposure]:
        days = sorted(day for day in self.exposures if first_day <= day < end_day)
        return merge_exposures([self.exposures[day] for day in days])

    def rolled_offers(self, *, first_day: date, end_day: date) -> list[OfferOutcome]:
        days = sorted(day for day in self.offers if first_day <= day < end_day)
        return sum_outcomes([self.offers[day] for day in days])

    def replace_days(
        self,
        *,
        first_day: date,
        end_day: date,
        exposures: Sequence[tuple[date, Exposure]],
        offers: Sequence[tuple[date, OfferOutcome]],
        built_at: datetime,
    ) -> None:
        span = self.range
        if span is not None and (end_day < span[0] or first_day > span[1]):
            raise ValueError("rollups: the days must touch or overlap the days already built")
        for held in (self.exposures, self.offers):
            for day in [day for day in held if first_day <= day < end_day]:
                del held[day]
        for day, exposure in exposures:
            self.exposures.setdefault(day, []).append(exposure)
        for day, outcome in offers:
            self.offers.setdefault(day, []).append(outcome)
        self.range = (
            (first_day, end_day)
            if span is None
            else (min(first_day, span[0]), max(end_day, span[1]))
        )

    def first_decision_at(self) -> datetime | None:
        times = [utc(d.at) for d in self.database.state.offers.decisions.values()]
        return min(times) if times else None
