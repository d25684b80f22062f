"""Bring a database to the newest schema with Alembic (used by the CLI, demo and tests)."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData


def alembic_config() -> Config:
    """Alembic configuration pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(files("tactful.adapters.db") / "migrations"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to `revision`."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Undo migrations down to `revision` (an operator going back to an older tactful)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None if it was never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped with this version of tactful."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def all_metadata() -> MetaData:
    """The metadata with every part's tables registered."""
    from tactful.adapters.db import (  # noqa: F401
        tables_checkout,
        tables_email,
        tables_email_feedback,
        tables_measurement,
        tables_models,
        tables_offers,
        tables_payments,
        tables_shared,
        tables_storefront,
    )
    from tactful.adapters.db.tables import metadata

    return metadata


def open_migrated(url: str) -> Engine:
    """An engine for `url` (a SQLite file is created), its schema upgraded to the newest."""
    from tactful.adapters.db.engine import build_engine

    engine = build_engine(url)
    upgrade(engine)
    return engine
