"""`tactful clv FILE --format orders-csv --calibration-end DATE [--json]` in-process."""

from __future__ import annotations

import csv
import json
import random
from datetime import date, timedelta
from pathlib import Path

import pytest
from scripts.cdnow_to_orders_csv import convert
from typer.testing import CliRunner

from tactful.cli import app

CDNOW_SAMPLE = Path("/work/shared/data/cdnow/CDNOW_sample.txt")
for parent in Path(__file__).resolve().parents:
    if (parent / "shared" / "data" / "cdnow").is_dir():
        CDNOW_SAMPLE = parent / "shared" / "data" / "cdnow" / "CDNOW_sample.txt"
        break

HEADER = "order_id,customer_id,created_at,sku,quantity,unit_price\n"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["clv", *args])
    return result.exit_code, " ".join(result.output.split())


def small_file(tmp_path: Path, extra: str = "") -> Path:
    """60 customers buying A now and then until 2024-03-31, one guest order, one later order."""
    draw = random.Random(5)
    rows = ["g1,,2024-02-02,A,1,10.00"]
    for number in range(60):
        day = date(2024, 1, 1) + timedelta(days=draw.randrange(30))
        for visit in range(draw.choice([1, 1, 1, 2, 3, 5, 8])):
            price = draw.choice(["9.50", "12.00", "20.00", "35.25"])
            rows.append(f"c{number}-{visit},cust{number},{day},A,1,{price}")
            day += timedelta(days=draw.randrange(1, 25))
            if day > date(2024, 3, 31):
                break
    rows.append("late,cust1,2024-04-20,A,1,10.00")
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n" + extra, encoding="utf-8")
    return path


@pytest.mark.skipif(not CDNOW_SAMPLE.is_file(), reason="shared CDNOW data not present")
def test_cdnow_sample_gives_the_published_parameters(tmp_path: Path) -> None:
    csv_path = tmp_path / "cdnow.csv"
    assert convert(CDNOW_SAMPLE, csv_path) == 6919
    args = [str(csv_path), "--format", "orders-csv", "--calibration-end", "1997-09-30"]
    result = CliRunner().invoke(app, ["clv", *args, "--currency", "USD", "--json"])
    assert result.exit_code == 0, result.output
    fit = json.loads(result.output)
    assert fit["customers"] == 2357
    bg, gg = fit["bgnbd"], fit["gamma_gamma"]
    assert [round(bg[k], 2) for k in ("r", "alpha", "a", "b")] == [0.24, 4.41, 0.79, 2.43]
    assert [round(gg[k], 2) for k in ("p", "q", "gamma")] == [6.25, 3.74, 15.44]
    assert fit["holdout"]["weeks"] == pytest.approx(39.0)
    assert fit["holdout"]["actual_purchases"] == 1882


def test_json_has_the_contract_keys_and_counts_guests(tmp_path: Path) -> None:
    args = ["--format", "orders-csv", "--calibration-end", "2024-03-31", "--json"]
    result = CliRunner().invoke(app, ["clv", str(small_file(tmp_path)), *args])
    assert result.exit_code == 0, result.output
    fit = json.loads(result.output)
    assert set(fit["bgnbd"]) == {"r", "alpha", "a", "b"}
    assert set(fit["gamma_gamma"]) == {"p", "q", "gamma"}
    assert fit["customers"] == 60
    assert 10 < fit["repeat_customers"] < 50
    assert fit["guest_orders"] == 1
    assert fit["holdout"]["actual_purchases"] == 1


def test_tables_without_json(tmp_path: Path) -> None:
    code, output = run(
        str(small_file(tmp_path)), "-f", "orders-csv", "--calibration-end", "2024-03-31"
    )
    assert code == 0, output
    assert "BG/NBD (weeks)" in output
    assert "Gamma-Gamma (GBP)" in output
    assert "cust" in output


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31/03/2024", "--calibration-end: expected YYYY-MM-DD"),
        ("2023-01-01", "no purchase on or before it"),
    ],
)
def test_bad_calibration_end_is_named(tmp_path: Path, value: str, message: str) -> None:
    code, output = run(str(small_file(tmp_path)), "-f", "orders-csv", "--calibration-end", value)
    assert code == 2
    assert message in output


def test_bad_line_names_file_line_and_column(tmp_path: Path) -> None:
    path = small_file(tmp_path, "o12,erin,not-a-date,A,1,10.00\n")
    code, output = run(str(path), "-f", "orders-csv", "--calibration-end", "2024-03-31")
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert code == 1
    assert f"orders.csv, line {lines}, column 'created_at'" in output
    assert "not a date and time" in output


def test_mixed_currencies_are_refused_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(
        "order_id,customer_id,created_at,sku,unit_price,currency\n"
        "o1,a,2024-01-01,A,1.00,EUR\no2,a,2024-01-09,A,1.00,USD\n",
        encoding="utf-8",
    )
    code, output = run(str(path), "-f", "orders-csv", "--calibration-end", "2024-03-31")
    assert code == 1
    assert "line 3, column 'currency'" in output


def test_missing_file_and_too_few_repeaters(tmp_path: Path) -> None:
    code, output = run(
        str(tmp_path / "none.csv"), "-f", "orders-csv", "--calibration-end", "2024-03-31"
    )
    assert code == 2
    assert "no such file" in output
    path = tmp_path / "one.csv"
    path.write_text(
        HEADER + "o1,a,2024-01-01,A,1,1.00\no2,a,2024-01-09,A,1,1.00\n", encoding="utf-8"
    )
    code, output = run(str(path), "-f", "orders-csv", "--calibration-end", "2024-03-31")
    assert code == 2
    assert "at least two customers with repeat purchases" in output


def test_every_customer_is_written_to_csv(tmp_path: Path) -> None:
    out = tmp_path / "customers.csv"
    args = ["-f", "orders-csv", "--calibration-end", "2024-03-31", "--out", str(out), "--json"]
    code, output = run(str(small_file(tmp_path)), *args)
    assert code == 0, output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 60
    assert {row["customer_id"] for row in rows} == {f"cust{n}" for n in range(60)}
    alive = [float(row["probability_alive"]) for row in rows]
    assert all(0 <= p <= 1 for p in alive)
    assert all(float(row["expected_value"]) >= 0 for row in rows)
