"""The country-code migration on real SQLite and PostgreSQL: every stored spelling of a
country becomes its ISO 3166-1 alpha-2 code; places without one, and no country, stay."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from sqlalchemy import Engine

from tactful.adapters.db import migrations
from tactful.adapters.db.schema import current_revision, downgrade, upgrade
from tactful.adapters.db.tables import customers
from tests.adapters.db.test_migration_0007 import blank

__all__ = ["blank"]  # the fixture: a database no migration has touched
CREATED = datetime(2025, 6, 1, tzinfo=UTC)
STORED = {
    "c1": "United Kingdom",
    "c2": "GB",
    "c3": " gb",
    "c4": "EIRE",
    "c5": "Czech Republic",
    "c6": "Channel Islands",
    "c7": None,
    "c8": "USA",
}
EXPECTED = {
    "c1": "GB",
    "c2": "GB",
    "c3": "GB",
    "c4": "IE",
    "c5": "CZ",
    "c6": "Channel Islands",
    "c7": None,
    "c8": "US",
}


def migration() -> ModuleType:
    """The country-code migration, whatever number it was given."""
    versions = Path(next(iter(migrations.__path__))) / "versions"
    (path,) = versions.glob("*_country_codes.py")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def countries(engine: Engine) -> dict[str, str | None]:
    with engine.connect() as connection:
        rows = connection.execute(sa.select(customers.c.customer_id, customers.c.country))
        return {row.customer_id: row.country for row in rows}


def test_stored_countries_become_codes(blank: Engine) -> None:
    before = migration().down_revision
    upgrade(blank, before)
    with blank.begin() as connection:
        connection.execute(
            sa.insert(customers),
            [
                {"customer_id": c, "country": country, "created_at": CREATED}
                for c, country in STORED.items()
            ],
        )
    upgrade(blank)
    assert countries(blank) == EXPECTED
    downgrade(blank, before)  # codes stay codes: they name the same countries
    assert current_revision(blank) == before
    assert countries(blank) == EXPECTED
