"""`MeasurementRollups` on SQL: the daily rollup tables, replaced a span of days at a time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Engine, delete, func, select

from tactful.adapters.db.repositories._common import utc
from tactful.adapters.db.tables_measurement import rollup_exposures, rollup_offers, rollup_range
from tactful.adapters.db.tables_offers import decisions
from tactful.domain.measurement import Exposure, OfferOutcome

__all__ = ["SqlMeasurementRollups"]

_RANGE = "measure"
_MIXED = 2
_COUNTS = ("impressions", "accepted", "declined", "dismissed", "converted", "ignored")


def _held_code(held: bool | None) -> int:
    return _MIXED if held is None else int(held)


class SqlMeasurementRollups:
    """`tactful.services.ports.measurement.MeasurementRollups` on a SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def rolled_range(self) -> tuple[date, date] | None:
        query = select(rollup_range.c.first_day, rollup_range.c.end_day).where(
            rollup_range.c.name == _RANGE
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else (row[0], row[1])

    def rolled_exposures(self, *, first_day: date, end_day: date) -> list[Exposure]:
        r = rollup_exposures
        query = (
            select(r.c.customer_id, func.min(r.c.first_at), func.min(r.c.held), func.max(r.c.held))
            .where(r.c.day >= first_day, r.c.day < end_day)
            .group_by(r.c.customer_id)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            Exposure(customer, utc(first), bool(low) if low == high != _MIXED else None)
            for customer, first, low, high in rows
        ]

    def rolled_offers(self, *, first_day: date, end_day: date) -> list[OfferOutcome]:
        r = rollup_offers
        sums = (func.sum(r.c[name]) for name in (*_COUNTS, "net_revenue"))
        query = (
            select(r.c.kind, r.c.sku, r.c.moment, *sums)
            .where(r.c.day >= first_day, r.c.day < end_day)
            .group_by(r.c.kind, r.c.sku, r.c.moment)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [OfferOutcome(*row[:3], *(int(value) for value in row[3:])) for row in rows]

    def replace_days(
        self,
        *,
        first_day: date,
        end_day: date,
        exposures: Sequence[tuple[date, Exposure]],
        offers: Sequence[tuple[date, OfferOutcome]],
        built_at: datetime,
    ) -> None:
        span = self.rolled_range()
        if span is not None and (end_day < span[0] or first_day > span[1]):
            raise ValueError("rollups: the days must touch or overlap the days already built")
        wanted = (
            (first_day, end_day)
            if span is None
            else (min(first_day, span[0]), max(end_day, span[1]))
        )
        with self.engine.begin() as connection:
            for table in (rollup_exposures, rollup_offers):
                connection.execute(
                    delete(table).where(table.c.day >= first_day, table.c.day < end_day)
                )
            if exposures:
                connection.execute(
                    rollup_exposures.insert(),
                    [
                        {"day": day, "customer_id": e.customer_id, "first_at": utc(e.first_at),
                         "held": _held_code(e.held_out)}
                        for day, e in exposures
                    ],
                )  # fmt: skip
            if offers:
                connection.execute(
                    rollup_offers.insert(), [_offer_row(day, o) for day, o in offers]
                )
            connection.execute(delete(rollup_range).where(rollup_range.c.name == _RANGE))
            connection.execute(
                rollup_range.insert().values(
                    name=_RANGE, first_day=wanted[0], end_day=wanted[1], built_at=utc(built_at)
                )
            )

    def first_decision_at(self) -> datetime | None:
        with self.engine.connect() as connection:
            first = connection.execute(select(func.min(decisions.c.at))).scalar_one_or_none()
        return None if first is None else utc(first)


def _offer_row(day: date, outcome: OfferOutcome) -> dict[str, object]:
    counts = {name: getattr(outcome, name) for name in _COUNTS}
    return {
        "day": day,
        "kind": outcome.kind,
        "sku": outcome.sku,
        "moment": outcome.moment,
        **counts,
        "net_revenue": outcome.net_revenue,
    }
