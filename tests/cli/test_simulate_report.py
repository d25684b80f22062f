"""`tactful simulate` then `tactful report` in-process on a real SQLite database."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from tactful.cli import app
from tactful.cli.report import segments_table

SIMULATE_KEYS = {"customers", "treated", "held_out", "true_incremental_revenue", "currency"}


def env_for(tmp_path: Path) -> dict[str, str]:
    return {
        "TACTFUL_DATA_DIR": str(tmp_path / "var"),
        "TACTFUL_DATABASE_URL": "",
        "TACTFUL_HOLDOUT_SHARE": "0.2",
    }


def test_report_on_an_empty_store_says_not_enough_data(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["report"], env=env_for(tmp_path))
    assert result.exit_code == 0, result.output
    assert "not enough data yet" in " ".join(result.output.split())
    bad = runner.invoke(app, ["report", "--from", "March"], env=env_for(tmp_path))
    assert bad.exit_code == 2


def test_simulate_then_report_keeps_the_contract(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["simulate", "--days", "14", "--customers", "400", "--uplift", "0.1", "--seed", "4"]
    simulated = runner.invoke(app, [*args, "--json"], env=env_for(tmp_path))
    assert simulated.exit_code == 0, simulated.output
    planted = json.loads(simulated.output)
    assert planted.keys() >= SIMULATE_KEYS
    assert planted["customers"] == planted["treated"] + planted["held_out"] == 400
    assert planted["true_incremental_revenue"] > 0

    reported = runner.invoke(app, ["report", "--json"], env=env_for(tmp_path))
    assert reported.exit_code == 0, reported.output
    found = json.loads(reported.output)
    assert {"estimate", "ci_low", "ci_high", "currency"} <= found["incremental_revenue"].keys()
    assert {"treated", "held_out", "lift", "ci_low", "ci_high"} <= found[
        "revenue_per_customer"
    ].keys()
    assert {"estimate", "ci_low", "ci_high"} <= found["aov_lift"].keys()
    assert found["customers"]["treated"] == planted["treated"]
    assert found["customers"]["held_out"] == planted["held_out"]
    assert 0 <= found["acceptance_rate"] <= 1
    assert 0 <= found["srm_p_value"] <= 1
    assert isinstance(found["incremental_revenue"]["estimate"], int)

    table = runner.invoke(app, ["report"], env=env_for(tmp_path))
    assert table.exit_code == 0, table.output
    assert "incremental revenue" in table.output
    again = runner.invoke(app, [*args], env=env_for(tmp_path))
    assert again.exit_code == 2


def test_the_segment_table_names_countries_and_keeps_the_segment_to_type() -> None:
    lift = {"estimate": 1200, "ci_low": -300, "ci_high": 2700}
    found = {"revenue_per_customer": lift, "customers": {"treated": 90, "held_out": 10}}
    data = {
        "incremental_revenue": {"currency": "GBP"},
        "segments": {"country": found, "country:GB": found, "country:Channel Islands": found},
    }
    shown = Console(width=200, record=True)
    shown.print(segments_table(data))
    text = shown.export_text()
    assert "United Kingdom (country:GB)" in text
    assert "country:Channel Islands" in text  # no ISO code: as stored
    assert "12.00 GBP" in text
