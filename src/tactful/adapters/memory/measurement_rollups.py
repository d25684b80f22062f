"""`MeasurementRollups` in memory: the same rollups held in dicts, for tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from tactful.adapters.memory._common import utc
from tactful.adapters.memory.database import MemoryDatabase
from tactful.domain.measurement import Exposure, OfferOutcome, merge_exposures, sum_outcomes
from tactful.services.ports.dashboard import DailyActivity, OfferStats, merge_offer_stats

__all__ = ["MemoryMeasurementRollups"]


class MemoryMeasurementRollups:
    """`tactful.services.ports.measurement.MeasurementRollups` over a memory database."""

    def __init__(self, database: MemoryDatabase) -> None:
        self.database = database
        self.exposures: dict[date, list[Exposure]] = {}
        self.offers: dict[date, list[OfferOutcome]] = {}
        self.range: tuple[date, date] | None = None
        self.hours_until: datetime | None = None
        self.activity: dict[date, DailyActivity] = {}
        self.offer_stats: dict[date, list[OfferStats]] = {}

    def rolled_range(self) -> tuple[date, date] | None:
        return self.range

    def rolled_until(self) -> datetime | None:
        return self.hours_until

    def rolled_exposures(self, *, first_day: date, end_day: date) -> list[Exposure]:
        days = sorted(day for day in self.exposures if first_day <= day < end_day)
        return merge_exposures([self.exposures[day] for day in days])

    def rolled_offers(self, *, first_day: date, end_day: date) -> list[OfferOutcome]:
        days = sorted(day for day in self.offers if first_day <= day < end_day)
        return sum_outcomes([self.offers[day] for day in days])

    def rolled_activity(self, *, first_day: date, end_day: date) -> list[DailyActivity]:
        return [self.activity[day] for day in sorted(self.activity) if first_day <= day < end_day]

    def rolled_offer_stats(self, *, first_day: date, end_day: date) -> list[OfferStats]:
        days = [day for day in self.offer_stats if first_day <= day < end_day]
        return merge_offer_stats(stats for day in days for stats in self.offer_stats[day])

    def replace_days(
        self,
        *,
        first_day: date,
        end_day: date,
        exposures: Sequence[tuple[date, Exposure]],
        offers: Sequence[tuple[date, OfferOutcome]],
        built_at: datetime,
        activity: Sequence[DailyActivity] = (),
        offer_stats: Sequence[tuple[date, OfferStats]] = (),
    ) -> None:
        span = self.range
        if span is not None and (end_day < span[0] or first_day > span[1]):
            raise ValueError("rollups: the days must touch or overlap the days already built")
        for held in (self.exposures, self.offers, self.activity, self.offer_stats):
            for day in [day for day in held if first_day <= day < end_day]:
                del held[day]
        for day, exposure in exposures:
            self.exposures.setdefault(day, []).append(exposure)
        for day, outcome in offers:
            self.offers.setdefault(day, []).append(outcome)
        self.activity.update((a.day, a) for a in activity if first_day <= a.day < end_day)
        for day, stats in offer_stats:
            if first_day <= day < end_day:
                self.offer_stats.setdefault(day, []).append(stats)
        self.range = (
            (first_day, end_day)
            if span is None
            else (min(first_day, span[0]), max(end_day, span[1]))
        )
        if span is None or self.range[1] != span[1]:
            self.hours_until = None

    def replace_hours(
        self,
        *,
        day: date,
        until: datetime,
        exposures: Sequence[Exposure],
        offers: Sequence[OfferOutcome],
    ) -> None:
        if self.range is None or self.range[1] != day:
            raise ValueError("rollups: hours are rolled up for the day the whole days end at")
        self.exposures[day] = list(exposures)
        self.offers[day] = list(offers)
        self.hours_until = utc(until)

    def first_decision_at(self) -> datetime | None:
        times = [utc(d.at) for d in self.database.state.offers.decisions.values()]
        return min(times) if times else None
