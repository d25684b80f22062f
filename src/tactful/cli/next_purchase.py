"""`tactful evaluate --task next-purchase`: predict each customer's next order (recall, NDCG)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from tactful.cli._app import console, fail
from tactful.cli.result_tables import print_results

TASKS = ("add-on", "next-purchase")


def run_next_purchase(
    load: Callable[[Path, str], Any],
    file: Path,
    fmt: str,
    split: str | None,
    ks: list[int],
    as_json: bool,
) -> None:
    """Read the file, measure every ranking and print a table or the JSON body."""
    from tactful.domain.affinity.next_purchase import NextPurchaseSplit, evaluate_next_purchase

    try:
        parsed = NextPurchaseSplit.parse(split)
    except ValueError as exc:
        raise fail(f"--{exc}", 2) from exc
    baskets = load(file, fmt)
    try:
        with console.status("evaluating"):
            result = evaluate_next_purchase(baskets, parsed, sorted(set(ks)))
    except ValueError as exc:
        raise fail(str(exc), 2) from exc
    body = next_purchase_json(result)
    if as_json:
        typer.echo(json.dumps(body, indent=1))
        return
    _print(body)


def next_purchase_json(result: Any) -> dict[str, Any]:
    """The JSON body: the same `results` list shape as the add-on evaluation."""
    return {
        "task": "next-purchase",
        "split": result.split,
        "n_train": result.n_shared_orders,
        "n_test_customers": result.n_customers,
        "results": [
            {
                "ranking": m.ranking,
                "n_test": m.n_test,
                **{f"recall@{k}": value for k, value in m.recall.items()},
                **{f"ndcg@{k}": value for k, value in m.ndcg.items()},
                **{f"recall@{k}_se": value for k, value in m.recall_se.items()},
                **{f"ndcg@{k}_se": value for k, value in m.ndcg_se.items()},
            }
            for m in result.results
        ],
    }


def _print(body: dict[str, Any]) -> None:
    title = (
        f"next purchase, split {body['split']}: {body['n_test_customers']} customers, "
        f"{body['n_train']} shared orders"
    )
    print_results(title, body["results"], digits=4)
