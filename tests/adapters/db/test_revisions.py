"""The cheap schema check `tactful report` makes agrees with Alembic's own."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.revisions import database_is_current, shipped_head
from tactful.adapters.db.schema import downgrade, head_revision, upgrade


def test_the_newest_revision_file_names_alembics_head() -> None:
    assert shipped_head() == head_revision()


def test_a_migrated_database_is_current(engine: Engine) -> None:
    assert database_is_current(engine)


def test_a_new_or_older_database_is_not(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{(tmp_path / 'old.db').as_posix()}")
    try:
        assert not database_is_current(engine)
        upgrade(engine)
        downgrade(engine, "0020")
        assert not database_is_current(engine)
        upgrade(engine)
        assert database_is_current(engine)
    finally:
        engine.dispose()
