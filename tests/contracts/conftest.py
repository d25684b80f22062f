"""The contract suite's one fixture: every implementation of the `Database` port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.schema import upgrade
from tactful.adapters.db.transaction import SqlDatabase
from tactful.adapters.memory import MemoryDatabase
from tactful.services.ports import Database
from tests.conftest import truncate_all


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres), "memory"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty database of each implementation: SQLite, PostgreSQL, then in memory."""
    if request.param == "memory":
        yield MemoryDatabase()
        return
    if request.param == "sqlite":
        url = f"sqlite:///{(tmp_path / 'contract.db').as_posix()}"
        engine = build_engine(url)
        upgrade(engine)
    else:
        engine = build_engine(request.getfixturevalue("postgres_url"))
        truncate_all(engine)
    yield SqlDatabase(engine)
    engine.dispose()
