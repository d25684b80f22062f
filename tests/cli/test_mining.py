"""`tactful mine`, `rules` and `evaluate` run in-process on a small basket file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tactful.cli import app

runner = CliRunner()


@pytest.fixture
def basket_file(tmp_path: Path) -> Path:
    lines = ["tent,pegs", "tent,pegs,bread", "stove,gas", "bread"] * 30
    path = tmp_path / "baskets.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_mine_file_writes_csv_and_json(basket_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "rules.csv"
    args = ["mine", str(basket_file), "--format", "baskets", "--min-support", "0.1"]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == ["antecedent", "consequent", "support", "confidence", "lift", "count"]
    assert {"antecedent": "stove", "consequent": "gas"}.items() <= rows[0].items() or any(
        r["antecedent"] == "tent" and r["consequent"] == "pegs" for r in rows
    )
    out_json = tmp_path / "rules.json"
    assert runner.invoke(app, [*args, "--out", str(out_json)]).exit_code == 0
    assert any(r["antecedent"] == ["stove"] for r in json.loads(out_json.read_text()))


def test_mine_prunes_with_top_k_and_min_lift(tmp_path: Path) -> None:
    """tent goes with three items of rising strength; bread is in every basket (lift 1)."""
    lines = ["tent,pegs,mallet,lamp,bread", "tent,pegs,mallet,bread", "tent,pegs,bread", "bread"]
    path = tmp_path / "baskets.csv"
    path.write_text("\n".join(lines * 10) + "\n")
    out = tmp_path / "rules.json"
    args = ["mine", str(path), "--format", "baskets", "--min-support", "0.05", "--out", str(out)]

    def consequents_of_tent(*extra: str) -> list[str]:
        result = runner.invoke(app, [*args, *extra])
        assert result.exit_code == 0, result.output
        rules = json.loads(out.read_text())
        return [r["consequent"] for r in rules if r["antecedent"] == ["tent"]]

    assert consequents_of_tent("--top-k", "2") == ["pegs", "mallet"]
    assert consequents_of_tent() == ["pegs", "mallet", "lamp"]
    every = consequents_of_tent("--top-k", "0", "--min-lift", "0")
    assert sorted(every) == ["bread", "lamp", "mallet", "pegs"]
    assert "top-k" in runner.invoke(app, [*args, "--top-k", "-1"]).output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--format", "nope"], "unknown format"),
        (["--format", "baskets", "--min-support", "1.5"], "min-support"),
        (["--format", "baskets", "--engine", "gpu"], "unknown engine"),
    ],
)
def test_bad_input_exits_2(basket_file: Path, extra: list[str], message: str) -> None:
    result = runner.invoke(app, ["mine", str(basket_file), *extra])
    assert result.exit_code == 2
    assert message in result.output


def test_evaluate_json(basket_file: Path) -> None:
    args = ["evaluate", str(basket_file), "--format", "baskets", "--split", "random:0.7"]
    result = runner.invoke(app, [*args, "--json", "--seed", "1"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    names = [r["ranking"] for r in body["results"]]
    assert names == ["tactful", "popularity", "confidence", "cosine"]
    assert {"hr@1", "hr@2", "hr@10", "coverage"} <= set(body["results"][0])
    bad = runner.invoke(app, [*args[:-2], "--split", "random:2"])
    assert bad.exit_code == 2
