"""The measurement reads of any `Database` the tests hold: the SQL adapter or the memory one."""

from __future__ import annotations

from tactful.adapters.db.measurement_reads import SqlMeasurementReads
from tactful.adapters.db.measurement_rollups import SqlMeasurementRollups
from tactful.adapters.db.transaction import SqlDatabase
from tactful.adapters.memory import MemoryDatabase
from tactful.adapters.memory.measurement_reads import MemoryMeasurementReads
from tactful.adapters.memory.measurement_rollups import MemoryMeasurementRollups
from tactful.services.ports.measurement import MeasurementReads, MeasurementRollups
from tactful.services.ports.storage import Database


def measurement_reads(database: Database) -> MeasurementReads:
    """`SqlMeasurementReads` on a SQL database's engine, the memory twin on a memory one."""
    if isinstance(database, SqlDatabase):
        return SqlMeasurementReads(database.engine)
    assert isinstance(database, MemoryDatabase)
    return MemoryMeasurementReads(database)


def measurement_rollups(database: Database) -> MeasurementRollups:
    """`SqlMeasurementRollups` on a SQL database's engine, the memory twin on a memory one."""
    if isinstance(database, SqlDatabase):
        return SqlMeasurementRollups(database.engine)
    assert isinstance(database, MemoryDatabase)
    return MemoryMeasurementRollups(database)
