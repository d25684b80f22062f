"""`tactful backtest` in-process on a real SQLite database filled by `tactful import`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tactful.cli import app

HEADER = "order_id,customer_id,created_at,sku,quantity,unit_price\n"


def env_for(tmp_path: Path) -> dict[str, str]:
    return {"TACTFUL_DATA_DIR": str(tmp_path / "var"), "TACTFUL_DATABASE_URL": ""}


def imported(tmp_path: Path) -> CliRunner:
    rows = [f"j{n},c{n},2024-01-{1 + n % 28:02}T10:00:00,LAMP,1,40.00" for n in range(30)]
    rows += [f"j{n},c{n},2024-01-{1 + n % 28:02}T10:00:00,BULB,1,5.00" for n in range(30)]
    rows += [f"s{n},s{n},2024-01-{1 + n % 28:02}T11:00:00,SHADE,1,15.00" for n in range(30)]
    rows += ["f1,ann,2024-02-02T10:00:00,LAMP,1,40.00", "f2,ann,2024-02-04T10:00:00,BULB,1,5.00"]
    rows += ["m1,bob,2024-03-20T10:00:00,SHADE,1,15.00"]
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + "\n".join(sorted(rows, key=lambda r: r.split(",")[0])) + "\n")
    runner = CliRunner()
    result = runner.invoke(app, ["import", str(path), "-f", "orders-csv"], env=env_for(tmp_path))
    assert result.exit_code == 0, result.output
    return runner


def test_two_policies_print_a_table_and_write_json(tmp_path: Path) -> None:
    runner = imported(tmp_path)
    (tmp_path / "a.yaml").write_text("name: two\nholdout_share: 0\n")
    (tmp_path / "b.yaml").write_text("max_offers: 1\nholdout_share: 0\nmoment: post_purchase\n")
    out = tmp_path / "result.json"
    args = ["backtest", "--policy", str(tmp_path / "a.yaml"), "--policy", str(tmp_path / "b.yaml")]
    args += ["--from", "2024-02-01", "--to", "2024-03-01", "--out", str(out)]
    result = runner.invoke(app, args, env=env_for(tmp_path))
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Screen, not proof." in text
    assert "two" in text
    report = json.loads(out.read_text())
    assert report["kind"] == "screen, not proof"
    assert [p["name"] for p in report["policies"]] == ["two", "b"]
    assert report["orders_replayed"] == 2
    assert report["policies"][0]["offers"] >= 1
    assert report["comparisons"][0]["second"] == "b"


def test_policy_errors_name_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nmax_ofers: 1\nbudget: lots\n")
    result = CliRunner().invoke(
        app,
        ["backtest", "--policy", str(bad), "--from", "2024-01-01", "--to", "2024-02-01"],
        env=env_for(tmp_path),
    )
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "bad.yaml:2: max_ofers: unknown field" in text
    assert "bad.yaml:3: budget: must be a whole number" in text


def test_broken_yaml_and_bad_dates(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [x\n")
    runner = CliRunner()
    span = ["--from", "2024-01-01", "--to", "2024-02-01"]
    result = runner.invoke(app, ["backtest", "--policy", str(broken), *span], env=env_for(tmp_path))
    assert result.exit_code == 2
    assert "not valid YAML" in " ".join(result.output.split())
    fine = tmp_path / "fine.yaml"
    fine.write_text("{}\n")
    args = ["backtest", "--policy", str(fine), "--from", "2024-02-01", "--to", "2024-01-01"]
    result = runner.invoke(app, args, env=env_for(tmp_path))
    assert result.exit_code == 2
    assert "must be before" in " ".join(result.output.split())
    args = ["backtest", "--policy", str(fine), "--from", "Feb", "--to", "2024-01-01"]
    result = runner.invoke(app, args, env=env_for(tmp_path))
    assert result.exit_code == 2
    assert "--from: expected YYYY-MM-DD" in " ".join(result.output.split())
