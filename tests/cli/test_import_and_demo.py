"""`tactful import` and `tactful demo` in-process, on a real SQLite database."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.repositories.catalog import get_products, upsert_products
from tactful.adapters.db.repositories.orders import count_rows
from tactful.adapters.db.schema import upgrade
from tactful.cli import app
from tactful.cli.importing import parse_mapping
from tactful.container import open_container
from tactful.domain.catalog import Product, Sku
from tactful.domain.money import Money
from tactful.services.models import ModelVersions
from tactful.settings import Settings
from tests.adapters.importers.test_readers import RETAIL_HEADER, RETAIL_ROWS


def env_for(tmp_path: Path) -> dict[str, str]:
    return {"TACTFUL_DATA_DIR": str(tmp_path / "var"), "TACTFUL_DATABASE_URL": ""}


def orders_in(tmp_path: Path) -> int:
    engine = build_engine(f"sqlite:///{tmp_path / 'var' / 'tactful.db'}")
    with engine.connect() as conn:
        count = count_rows(conn)["orders"]
    engine.dispose()
    return count


def test_import_prints_a_summary_and_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "retail.csv"
    path.write_text(RETAIL_HEADER + RETAIL_ROWS, encoding="utf-8")
    runner = CliRunner()
    args = ["import", str(path), "--format", "online-retail"]
    first = runner.invoke(app, args, env=env_for(tmp_path))
    assert first.exit_code == 0, first.output
    assert "lines read" in first.output
    assert "cancellation" in first.output
    assert orders_in(tmp_path) == 2
    again = runner.invoke(app, args, env=env_for(tmp_path))
    assert again.exit_code == 0, again.output
    assert orders_in(tmp_path) == 2


def test_bad_file_exits_non_zero_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "retail.csv"
    path.write_text(RETAIL_HEADER + "1,X1,a,one,2010-12-01 08:00:00,1.0,,UK\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["import", str(path), "--format", "online-retail"], env=env_for(tmp_path)
    )
    assert result.exit_code == 1
    output = " ".join(result.output.split())  # the console wraps long paths at its width
    assert "line 2" in output
    assert "Quantity" in output
    assert "unchanged" in output


def test_bad_options_exit_with_usage_code(tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text("a\n", encoding="utf-8")
    runner = CliRunner()
    args = ["import", str(path), "--format", "orders-csv", "--map", "order_id"]
    assert runner.invoke(app, args, env=env_for(tmp_path)).exit_code == 2
    args = ["import", str(path), "--format", "xml"]
    assert runner.invoke(app, args, env=env_for(tmp_path)).exit_code == 2


def test_parse_mapping_accepts_commas_and_repeats() -> None:
    assert parse_mapping(["order_id=Invoice,sku=Item", "created_at=When"]) == {
        "order_id": "Invoice",
        "sku": "Item",
        "created_at": "When",
    }
    with pytest.raises(ValueError, match="field=Column"):
        parse_mapping(["sku="])


@pytest.mark.slow
def test_demo_prepares_the_database_and_a_rerun_is_quick(tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["demo", "--no-serve"], env=env_for(tmp_path))
    assert first.exit_code == 0, first.output
    assert "Imported the UCI Online Retail sample" in first.output
    assert "/healthz" in first.output
    assert "secret key" in first.output
    assert "Simulated traffic for the dashboard" in first.output  # so /admin has figures
    orders = orders_in(tmp_path)
    assert orders > 2000
    again = runner.invoke(app, ["demo", "--no-serve"], env=env_for(tmp_path))
    assert again.exit_code == 0, again.output
    assert "already imported" in again.output
    assert orders_in(tmp_path) == orders, "a second run adds no orders, simulated or imported"
    keys = printed_keys(first.output)
    assert printed_keys(again.output) == keys, "a second run reuses the keys integrations hold"
    assert "Simulated traffic: none added (seed: seed 1 was already simulated here)" in " ".join(
        again.output.split()
    )
    merchants = runner.invoke(app, ["mine", "--level", "customer"], env=env_for(tmp_path))
    assert merchants.exit_code == 0, merchants.output
    mined = active_model(tmp_path)
    third = runner.invoke(app, ["demo", "--no-serve"], env=env_for(tmp_path))
    assert third.exit_code == 0, third.output
    assert "Mined" not in third.output
    assert f"Affinity model {mined} is active and kept" in third.output
    assert active_model(tmp_path) == mined, "the demo never replaces the merchant's model"
    env_key = env_for(tmp_path) | {"TACTFUL_SECRET_KEY": "sk_set_in_the_environment_012"}
    fourth = runner.invoke(app, ["demo", "--no-serve"], env=env_key)
    assert printed_keys(fourth.output) == ("sk_set_in_the_environment_012", keys[1])


def seed_minor_catalogue(tmp_path: Path) -> None:
    """A catalogue priced in minor units, as the API stores it (SOFA at £499.00)."""
    (tmp_path / "var").mkdir(exist_ok=True)
    engine = build_engine(f"sqlite:///{tmp_path / 'var' / 'tactful.db'}")
    upgrade(engine)
    products = [
        Product(Sku(sku), sku.title(), Money(pence, "GBP"))
        for sku, pence in (("SOFA", 49_900), ("LAMP", 2_500))
    ]
    with engine.begin() as conn:
        upsert_products(conn, products, at=datetime(2023, 1, 1, tzinfo=UTC))
    engine.dispose()


def sofa_price(tmp_path: Path) -> Money:
    engine = build_engine(f"sqlite:///{tmp_path / 'var' / 'tactful.db'}")
    with engine.connect() as conn:
        price = get_products(conn, ["SOFA"])["SOFA"].price
    engine.dispose()
    return price


@pytest.mark.parametrize(
    ("args", "warned", "stored"),
    [([], True, 4_990_000), (["--price-unit", "minor"], False, 49_900)],
)
def test_price_unit_option_and_the_100x_warning(
    tmp_path: Path, args: list[str], warned: bool, stored: int
) -> None:
    seed_minor_catalogue(tmp_path)
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_id,sku,created_at,unit_price\n"
        "o1,SOFA,2024-01-01T09:00:00Z,49900\n"
        "o2,LAMP,2024-01-02T09:00:00Z,2500\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app, ["import", str(path), "--format", "orders-csv", *args], env=env_for(tmp_path)
    )
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert ("warning: prices look 100x higher" in output) is warned
    assert ("--price-unit minor" in output) is warned
    assert f"warnings │ {int(warned)}" in output
    assert sofa_price(tmp_path) == Money(stored, "GBP")


def test_help_and_readme_document_the_price_unit() -> None:
    result = CliRunner().invoke(app, ["import", "--help"], env={"COLUMNS": "200"})
    output = " ".join(result.output.split())
    assert "--price-unit" in output
    assert "decimal" in output
    assert "minor" in output
    assert "unit of the HTTP API" in output
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    importing = readme.split("## Importing orders", 1)[1].split("\n## ", 1)[0]
    assert "`--price-unit minor`" in importing
    assert "100×" in importing


def printed_keys(output: str) -> tuple[str, str]:
    """The secret and publishable keys a demo run printed."""
    found = dict(re.findall(r"(secret|publishable) key:\s+(\S+)", output))
    return found["secret"], found["publishable"]


def active_model(tmp_path: Path) -> str | None:
    settings = Settings.from_env(env_for(tmp_path))
    container = open_container(settings)
    try:
        info = ModelVersions(container.model_storage, settings).current_model()
    finally:
        container.close()
    return None if info is None else info.version
