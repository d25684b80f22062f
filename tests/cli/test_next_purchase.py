"""`tactful evaluate FILE --format orders-csv --task next-purchase [--k 10] --json`, in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROWS = [
    ("o1", "milk", "2024-01-01T10:00:00", "ann"),
    ("o1", "bread", "2024-01-01T10:00:00", "ann"),
    ("o2", "milk", "2024-01-08T10:00:00", "ann"),
    ("o3", "milk", "2024-01-15T10:00:00", "ann"),
    ("o3", "eggs", "2024-01-15T10:00:00", "ann"),
    ("o4", "tea", "2024-01-02T10:00:00", "bob"),
    ("o5", "tea", "2024-01-09T10:00:00", "bob"),
    ("o5", "milk", "2024-01-09T10:00:00", "bob"),
    ("o6", "tea", "2024-01-20T10:00:00", "bob"),
    ("o7", "eggs", "2024-01-03T10:00:00", "cat"),
]


@pytest.fixture
def orders_file(tmp_path: Path) -> Path:
    path = tmp_path / "orders.csv"
    lines = ["order_id,sku,created_at,customer_id,unit_price"]
    lines += [f"{o},{s},{t},{c},1.50" for o, s, t, c in sorted(ROWS, key=lambda r: r[2])]
    path.write_text("\n".join(lines) + "\n")
    return path


def invoke(*args: str) -> tuple[int, str]:
    from tactful.cli import app

    result = CliRunner().invoke(app, ["evaluate", *args], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_json_has_recall_and_ndcg_beside_both_baselines(orders_file: Path) -> None:
    code, out = invoke(
        str(orders_file), "--format", "orders-csv", "--task", "next-purchase", "--k", "10", "--json"
    )
    assert code == 0, out
    body = json.loads(out)
    assert body["task"] == "next-purchase"
    assert body["split"] == "last"
    assert body["n_test_customers"] == 2  # ann and bob; cat has one order
    rankings = [row["ranking"] for row in body["results"]]
    assert rankings[:3] == ["email", "personal-frequency", "popularity"]
    for row in body["results"]:
        assert set(row) == {
            *("ranking", "n_test", "recall@10", "ndcg@10"),
            *("recall@10_se", "ndcg@10_se"),  # standard errors over customers (added)
        }
        assert row["recall@10_se"] >= 0.0
        assert 0.0 <= row["recall@10"] <= 1.0
        assert 0.0 <= row["ndcg@10"] <= 1.0
    personal = body["results"][1]
    # ann's last order: milk (her most bought: hit) and eggs (never bought: miss) -> 0.5;
    # bob's: tea (his most bought) -> 1.0
    assert personal["recall@10"] == pytest.approx(0.75)


def test_a_time_split_and_several_k(orders_file: Path) -> None:
    code, out = invoke(
        str(orders_file),
        *("--format", "orders-csv", "--task", "next-purchase", "--split", "time:2024-01-10"),
        *("--k", "1", "--k", "3", "--json"),
    )
    assert code == 0, out
    body = json.loads(out)
    assert body["split"] == "time:2024-01-10"
    assert {"recall@1", "recall@3", "ndcg@1", "ndcg@3"} <= set(body["results"][0])


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--task", "churn"], "--task: unknown task 'churn'"),
        (["--task", "next-purchase", "--split", "random:0.8"], "--split: expected last or time"),
        (["--task", "next-purchase", "--k", "0"], "--k: every k must be a positive integer"),
        (["--task", "next-purchase", "--split", "time:2030-01-01"], "no customer has an order"),
        ([], "--split: required for --task add-on"),
    ],
)
def test_bad_options_are_refused_naming_them(
    orders_file: Path, extra: list[str], message: str
) -> None:
    code, out = invoke(str(orders_file), "--format", "orders-csv", *extra)
    assert code == 2
    assert message in " ".join(out.split())
