"""`MeasurementRollups` on SQL: the daily rollup tables, replaced a span of days at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, func, select, update

from tactful.adapters.db.order_rollups import roll_orders
from tactful.adapters.db.repositories._common import utc
from tactful.adapters.db.tables_measurement import (
    rollup_activity,
    rollup_exposures,
    rollup_offer_stats,
    rollup_offers,
    rollup_range,
)
from tactful.adapters.db.tables_offers import decisions
from tactful.domain.measurement import Exposure, OfferOutcome
from tactful.services.ports.dashboard import (
    OFFER_COUNTS,
    DailyActivity,
    OfferStats,
    merge_offer_stats,
)

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
        with self.engine.connect() as connection:
            row = _range_row(connection)
        return None if row is None else (row.first_day, row.end_day)

    def rolled_until(self) -> datetime | None:
        with self.engine.connect() as connection:
            row = _range_row(connection)
        return None if row is None or row.hours_until is None else utc(row.hours_until)

    def rolled_exposures(self, *, first_day: date, end_day: date) -> list[Exposure]:
        r = rollup_exposures
        # A customer's first decision is on the first day they have a row for (each row
        # holds one day's first), so the grouped read finds that day and the primary key
        # (day, customer) its row: no window over every row of the span.
        customers = (
            select(
                r.c.customer_id,
                func.min(r.c.day).label("day"),
                func.min(r.c.held).label("low"),
                func.max(r.c.held).label("high"),
            )
            .where(r.c.day >= first_day, r.c.day < end_day)
            .group_by(r.c.customer_id)
            .subquery()
        )
        query = select(
            customers.c.customer_id,
            r.c.first_at,
            customers.c.low,
            customers.c.high,
            r.c.moment,
            r.c.channel,
        ).join(r, and_(r.c.day == customers.c.day, r.c.customer_id == customers.c.customer_id))
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            Exposure(
                customer, utc(first), bool(low) if low == high != _MIXED else None, moment, channel
            )
            for customer, first, low, high, moment, channel in rows
        ]

    def rolled_activity(self, *, first_day: date, end_day: date) -> list[DailyActivity]:
        r = rollup_activity
        query = select(r).where(r.c.day >= first_day, r.c.day < end_day).order_by(r.c.day)
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [DailyActivity(**row) for row in rows]

    def rolled_offer_stats(self, *, first_day: date, end_day: date) -> list[OfferStats]:
        r = rollup_offer_stats
        key = (r.c.sku, r.c.kind, r.c.moment)
        query = (
            select(*key, func.max(r.c.name), *(func.sum(r.c[name]) for name in OFFER_COUNTS))
            .where(r.c.day >= first_day, r.c.day < end_day)
            .group_by(*key)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return merge_offer_stats(
            OfferStats(sku, name, kind, moment, *(int(value) for value in counts))
            for sku, kind, moment, name, *counts in rows
        )

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
        activity: Sequence[DailyActivity] = (),
        offer_stats: Sequence[tuple[date, OfferStats]] = (),
    ) -> None:
        with self.engine.begin() as connection:
            span = _range_row(connection)
            if span is not None and (end_day < span.first_day or first_day > span.end_day):
                raise ValueError("rollups: the days must touch or overlap the days already built")
            wanted = (
                (first_day, end_day)
                if span is None
                else (min(first_day, span.first_day), max(end_day, span.end_day))
            )
            # end_day's hours stay rolled up unless the whole days now reach past them.
            hours = None if span is None or wanted[1] != span.end_day else span.hours_until
            for table in (rollup_exposures, rollup_offers, rollup_activity, rollup_offer_stats):
                connection.execute(
                    delete(table).where(table.c.day >= first_day, table.c.day < end_day)
                )
            roll_orders(connection, first_day=first_day, end_day=end_day)
            if exposures:
                connection.execute(
                    rollup_exposures.insert(), [_exposure_row(day, e) for day, e in exposures]
                )
            if offers:
                connection.execute(
                    rollup_offers.insert(), [_offer_row(day, o) for day, o in offers]
                )
            kept = [a for a in activity if first_day <= a.day < end_day]
            if kept:
                connection.execute(rollup_activity.insert(), [asdict(a) for a in kept])
            stats = [(day, o) for day, o in offer_stats if first_day <= day < end_day]
            if stats:
                connection.execute(
                    rollup_offer_stats.insert(), [{"day": day, **asdict(o)} for day, o in stats]
                )
            connection.execute(delete(rollup_range).where(rollup_range.c.name == _RANGE))
            connection.execute(
                rollup_range.insert().values(
                    name=_RANGE,
                    first_day=wanted[0],
                    end_day=wanted[1],
                    built_at=utc(built_at),
                    hours_until=hours,
                )
            )

    def replace_hours(
        self,
        *,
        day: date,
        until: datetime,
        exposures: Sequence[Exposure],
        offers: Sequence[OfferOutcome],
    ) -> None:
        with self.engine.begin() as connection:
            span = _range_row(connection)
            if span is None or span.end_day != day:
                raise ValueError("rollups: hours are rolled up for the day the whole days end at")
            for table in (rollup_exposures, rollup_offers):
                connection.execute(delete(table).where(table.c.day == day))
            roll_orders(connection, first_day=day, end_day=day + timedelta(days=1), until=until)
            if exposures:
                connection.execute(
                    rollup_exposures.insert(), [_exposure_row(day, e) for e in exposures]
                )
            if offers:
                connection.execute(rollup_offers.insert(), [_offer_row(day, o) for o in offers])
            connection.execute(
                update(rollup_range)
                .where(rollup_range.c.name == _RANGE)
                .values(hours_until=utc(until))
            )

    def first_decision_at(self) -> datetime | None:
        with self.engine.connect() as connection:
            first = connection.execute(select(func.min(decisions.c.at))).scalar_one_or_none()
        return None if first is None else utc(first)


def _range_row(connection: Connection) -> Any:
    """The one row of `rollup_range` (None before the first build)."""
    query = select(rollup_range).where(rollup_range.c.name == _RANGE)
    return connection.execute(query).first()


def _exposure_row(day: date, exposure: Exposure) -> dict[str, object]:
    return {
        "day": day,
        "customer_id": exposure.customer_id,
        "first_at": utc(exposure.first_at),
        "held": _held_code(exposure.held_out),
        "moment": exposure.moment,
        "channel": exposure.channel,
    }


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
