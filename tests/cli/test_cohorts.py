"""`tactful cohorts` in-process on a real SQLite database filled by `tactful import`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tactful.cli import app

ROWS = """order_id,customer_id,created_at,sku,quantity,unit_price
o1,ann,2024-01-03T10:00:00,MUG,1,7.00
o2,bob,2024-01-09T10:00:00,MUG,1,7.00
o3,ann,2024-02-11T10:00:00,MUG,2,7.00
o4,cat,2024-02-12T10:00:00,MUG,1,7.00
o5,ann,2024-03-15T10:00:00,MUG,1,7.00
"""


def env_for(tmp_path: Path) -> dict[str, str]:
    return {"TACTFUL_DATA_DIR": str(tmp_path / "var"), "TACTFUL_DATABASE_URL": ""}


def test_cohorts_json_and_tables(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(ROWS, encoding="utf-8")
    runner = CliRunner()
    imported = runner.invoke(app, ["import", str(path), "-f", "orders-csv"], env=env_for(tmp_path))
    assert imported.exit_code == 0, imported.output
    result = runner.invoke(app, ["cohorts", "--json"], env=env_for(tmp_path))
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [c["cohort"] for c in report["cohorts"]] == ["2024-01", "2024-02"]
    assert report["cohorts"][0]["retention"] == [1.0, 0.5, 0.5]
    assert report["cohorts"][1]["retention"] == [1.0, 0.0, None]
    assert report["upgraders"]["upgraders"] == 0
    tables = runner.invoke(app, ["cohorts", "--window", "30"], env=env_for(tmp_path))
    assert tables.exit_code == 0, tables.output
    assert "2024-01" in tables.output
    assert "30 days" in tables.output


def test_empty_store_and_bad_dates(tmp_path: Path) -> None:
    runner = CliRunner()
    empty = runner.invoke(app, ["cohorts"], env=env_for(tmp_path))
    assert empty.exit_code == 0, empty.output
    assert "Not enough data yet" in empty.output
    bad = runner.invoke(app, ["cohorts", "--from", "March"], env=env_for(tmp_path))
    assert bad.exit_code == 2
    assert "--from: expected YYYY-MM-DD" in bad.output
