"""`tactful pages load` in-process on SQLite: every problem named by file, line and field."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.schema import upgrade
from tactful.adapters.db.tables_checkout import checkout_pages
from tactful.cli import app
from tests.e2e.seed import seed_catalogue

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "checkout-page.yaml"
BAD = """\
- slug: first
  currency: GBP
  items:
    - sku: COURSE
  bumps:
    - sku: WORKBOOK
      preselected: true
  upsells:
    - sku: NO_SUCH_UPSELL
      downsell:
        sku: COACHING_LITE
- slug: second
  currency: GBP
  items:
    - sku: COURSE
  upsells:
    - sku: COACHING
      downsell:
        sku: NO_SUCH_DOWNSELL
  bumps:
    - sku: ALSO_MISSING
"""


@pytest.fixture
def shop_env(tmp_path: Path) -> Iterator[tuple[dict[str, str], Engine]]:
    """A migrated SQLite database with the seeded catalogue, and the CLI environment for it."""
    data = tmp_path / "var"
    data.mkdir()
    engine = build_engine(f"sqlite:///{(data / 'tactful.db').as_posix()}")
    upgrade(engine)
    seed_catalogue(engine)
    yield {"TACTFUL_DATA_DIR": str(data), "TACTFUL_DATABASE_URL": ""}, engine
    engine.dispose()


def pages_in(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(checkout_pages)).scalar_one())


def test_the_example_page_loads(shop_env: tuple[dict[str, str], Engine]) -> None:
    env, engine = shop_env
    result = CliRunner().invoke(app, ["pages", "load", str(EXAMPLE)], env=env)
    assert result.exit_code == 0, result.output
    assert "Page deep-focus created" in result.output
    assert pages_in(engine) == 1


def test_every_problem_is_named_and_nothing_is_saved(
    shop_env: tuple[dict[str, str], Engine], tmp_path: Path
) -> None:
    env, engine = shop_env
    path = tmp_path / "pages.yaml"
    path.write_text(BAD, encoding="utf-8")
    result = CliRunner().invoke(app, ["pages", "load", str(path)], env={**env, "COLUMNS": "300"})
    assert result.exit_code == 1
    output = re.sub(r"\s+", " ", result.output)
    expected = [
        (7, "bumps[0].preselected", "never pre-ticked"),
        (9, "upsells[0].sku", "no product 'NO_SUCH_UPSELL' in the catalogue"),
        (19, "upsells[0].downsell.sku", "no product 'NO_SUCH_DOWNSELL'"),
        (21, "bumps[0].sku", "no product 'ALSO_MISSING'"),
    ]
    for line, field, message in expected:
        assert f"{path}:{line}: {field}: " in output, output
        assert message in output
    assert "4 error(s); no page was saved." in output
    assert pages_in(engine) == 0


def test_a_preselected_upsell_is_refused_too(
    shop_env: tuple[dict[str, str], Engine], tmp_path: Path
) -> None:
    env, engine = shop_env
    path = tmp_path / "page.yaml"
    path.write_text(
        "slug: p\ncurrency: GBP\nitems: [{sku: COURSE}]\n"
        "upsells:\n  - sku: COACHING\n    preselected: true\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["pages", "load", str(path)], env={**env, "COLUMNS": "300"})
    assert result.exit_code == 1
    assert f"{path}:6: upsells[0].preselected: one-click offers are never" in result.output
    assert pages_in(engine) == 0
