"""Migration 0031 on real SQLite and PostgreSQL: `rollup_orders` is filled for the days (and
today's hours) the rollups already hold, as the rollup job would have written it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import Engine

from tactful.adapters.db.measurement_reads import SqlMeasurementReads
from tactful.adapters.db.measurement_rollups import SqlMeasurementRollups
from tactful.adapters.db.schema import downgrade, upgrade
from tactful.adapters.db.tables_measurement import rollup_orders
from tactful.adapters.db.transaction import SqlDatabase
from tactful.domain.clock import FixedClock
from tactful.services.rollups import RollupService
from tactful.services.simulation import SimulationRequest, SimulationService
from tests.adapters.db.test_migration_0007 import blank
from tests.services.history_wiring import history_reads

__all__ = ["blank"]  # the fixture: a database no migration has touched
NOW = datetime(2026, 3, 1, 15, 30, tzinfo=UTC)


def _rows(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        query = sa.select(rollup_orders).order_by(*rollup_orders.primary_key.columns)
        return [tuple(row) for row in connection.execute(query)]


def test_the_migration_rolls_up_the_orders_of_the_days_already_rolled(blank: Engine) -> None:
    upgrade(blank)
    database, clock = SqlDatabase(blank), FixedClock(NOW)
    simulation = SimulationService(database, history_reads(database), clock, holdout_share=0.2)
    simulation.run(SimulationRequest(days=12, customers=250, uplift=0.2, seed=8))
    rollups = SqlMeasurementRollups(blank)
    job = RollupService(SqlMeasurementReads(blank), rollups, clock, attribution=timedelta(7))
    job.run_due(NOW)
    assert rollups.rolled_until() == datetime(2026, 3, 1, 15, tzinfo=UTC)
    written = _rows(blank)
    assert NOW.date() in {row[1] for row in written}  # today's hours too
    downgrade(blank, "0030")
    upgrade(blank)
    assert _rows(blank) == written
