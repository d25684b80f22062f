"""The history reads of any `Database` the tests hold: the SQL adapter or the memory one."""

from __future__ import annotations

from tactful.adapters.db.history_reads import SqlHistoryReads
from tactful.adapters.db.transaction import SqlDatabase
from tactful.adapters.memory import MemoryDatabase
from tactful.adapters.memory.history_reads import MemoryHistoryReads
from tactful.services.ports.history import HistoryReads
from tactful.services.ports.storage import Database


def history_reads(database: Database) -> HistoryReads:
    """`SqlHistoryReads` on a SQL database's engine, `MemoryHistoryReads` on a memory one."""
    if isinstance(database, SqlDatabase):
        return SqlHistoryReads(database.engine)
    assert isinstance(database, MemoryDatabase)
    return MemoryHistoryReads(database)
