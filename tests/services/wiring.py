"""The decision service over any `Database` the tests hold: SQL adapters or memory ones."""

from __future__ import annotations

from typing import Any

from tactful.adapters.db.catalog_cache import SqlCatalogSource
from tactful.adapters.db.decision_reads import SqlDecisionReads
from tactful.adapters.db.transaction import SqlDatabase
from tactful.adapters.memory import MemoryDatabase
from tactful.adapters.memory.decision_reads import MemoryDecisionReads
from tactful.services.decision_log import DirectDecisionLog
from tactful.services.decision_reads import StoreCatalogSource
from tactful.services.decisions import DecisionService
from tactful.services.ports.decisions import CatalogSource, DecisionReads
from tactful.services.ports.storage import Database


def decision_service(database: Database, **options: Any) -> DecisionService:
    """A decision service reading through the database's own fast reads, logging directly."""
    reads: DecisionReads
    catalog: CatalogSource
    if isinstance(database, SqlDatabase):
        reads, catalog = SqlDecisionReads(database.engine), SqlCatalogSource(database.engine)
    else:
        assert isinstance(database, MemoryDatabase)
        reads, catalog = MemoryDecisionReads(database), StoreCatalogSource(database)
    return DecisionService(database, reads, catalog, DirectDecisionLog(database), **options)
