"""`tactful mine`, `tactful rules`, `tactful evaluate`: affinity mining from the command line."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TimeElapsedColumn
from rich.table import Table

from tactful.cli._app import app, console, fail, load_settings, open_services
from tactful.cli.next_purchase import TASKS, run_next_purchase
from tactful.cli.result_tables import print_results

FORMAT_HELP = "online-retail, shopify, baskets or orders-csv"


@contextmanager
def _progress(label: str) -> Iterator[Any]:
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _load_file(path: Path, fmt: str) -> Any:
    from tactful.standalone import FORMATS, baskets_from_file

    if fmt not in FORMATS:
        raise fail(f"--format: unknown format {fmt!r}; use one of {', '.join(FORMATS)}", 2)
    if not path.is_file():
        raise fail(f"FILE: {path} does not exist", 2)
    try:
        with _progress(f"reading {path.name}") as report:
            return baskets_from_file(path, fmt, progress=report)
    except ValueError as exc:
        raise fail(str(exc), 2) from exc


def _config(**values: Any) -> Any:
    from tactful.domain.affinity import MiningConfig

    try:
        return MiningConfig(**{k: v for k, v in values.items() if v is not None})
    except ValueError as exc:
        raise fail(f"--{str(exc).replace('_', '-')}", 2) from exc


def _engine(name: str, master: str | None) -> Any:
    if name == "local":
        return None
    if name != "spark":
        raise fail(f"--engine: unknown engine {name!r}; use local or spark", 2)
    from tactful.standalone import SparkUnavailableError, spark_engine

    try:
        return spark_engine(master)
    except SparkUnavailableError as exc:
        raise fail(str(exc), 2) from exc


@app.command()
def mine(
    file: Path | None = typer.Argument(None, help="Order export to mine (default: the database)."),
    fmt: str = typer.Option("online-retail", "--format", help=f"FILE format: {FORMAT_HELP}."),
    engine: str = typer.Option("local", "--engine", help="local or spark."),
    spark_master: str | None = typer.Option(None, help="Spark master URL (default local[*])."),
    min_support: float = typer.Option(0.01, help="Minimum support in (0, 1]."),
    min_confidence: float = typer.Option(0.1, help="Minimum confidence in (0, 1]."),
    max_len: int = typer.Option(3, help="Largest itemset (3 = antecedents of up to two items)."),
    level: str = typer.Option("basket", help="basket (one order) or customer (a window)."),
    window_days: float = typer.Option(90.0, help="Customer-level window in days."),
    half_life_days: float | None = typer.Option(None, help="Recency half-life in days."),
    top_k: int | None = typer.Option(
        None, help="Best consequents kept per antecedent (default 20; 0 keeps them all)."
    ),
    min_lift: float | None = typer.Option(
        None, help="Keep only rules whose lift is above this (default 1.0)."
    ),
    out: Path | None = typer.Option(None, "--out", help="Write rules to .csv or .json."),
) -> None:
    """Mine rules and similarities from the database (activating a new model) or a file."""
    config = _config(
        min_support=min_support,
        min_confidence=min_confidence,
        max_len=max_len,
        level=level,
        window_days=window_days,
        half_life_days=half_life_days,
        top_k=top_k or None,
        min_lift=min_lift,
    )
    if top_k == 0:
        config = replace(config, top_k=None)
    if out is not None and out.suffix.lower() not in {".csv", ".json"}:
        raise fail("--out: the file must end in .csv or .json", 2)
    mining_engine = _engine(engine, spark_master)
    if file is not None:
        from tactful.domain.affinity import mine as run_mine

        baskets = _load_file(file, fmt)
        with console.status("mining"):
            model = run_mine(baskets, config, mining_engine)
    else:
        model = _mine_database(config, mining_engine)
    _print_summary(model.summary)
    if out is not None:
        _write_rules(out, model.rules)
        console.print(f"Wrote {len(model.rules)} rules to {out}")


def _mine_database(config: Any, mining_engine: Any) -> Any:
    from tactful.services.models import NoOrdersError, load_active, mine_and_activate

    settings = load_settings()
    services = open_services(settings)
    try:
        with console.status("mining stored orders"):
            info = mine_and_activate(
                services.model_storage, settings, config, mining_engine=mining_engine
            )
        loaded = load_active(services.model_storage)
    except NoOrdersError as exc:
        raise fail(str(exc), 1) from exc
    finally:
        services.close()
    console.print(f"Model version [bold]{info.version}[/bold] is now active.")
    assert loaded is not None
    return loaded.model


def _print_summary(summary: Any) -> None:
    table = Table(title="Mining summary", show_header=False)
    rows = [
        ("engine", summary.engine),
        ("orders", summary.n_orders),
        ("baskets", summary.n_baskets),
        ("items", summary.n_items),
        ("frequent items", summary.n_frequent_items),
        ("itemsets", summary.n_itemsets),
        ("rules", summary.n_rules),
        ("capped baskets", summary.baskets_capped),
        ("window", f"{summary.window_start} .. {summary.window_end}"),
        ("time", f"{sum(summary.timings.values()):.3f} s"),
    ]
    for name, value in rows:
        table.add_row(name, str(value))
    console.print(table)


RULE_COLUMNS = ("antecedent", "consequent", "support", "confidence", "lift", "count")


def _rule_row(rule: Any) -> dict[str, Any]:
    return {
        "antecedent": " & ".join(rule.antecedent),
        "consequent": rule.consequent,
        "support": rule.support,
        "confidence": rule.confidence,
        "lift": rule.lift,
        "count": rule.count,
    }


def _write_rules(out: Path, rules: Any) -> None:
    rows = [_rule_row(r) for r in rules]
    if out.suffix.lower() == ".json":
        for row, rule in zip(rows, rules, strict=True):
            row["antecedent"] = list(rule.antecedent)
        out.write_text(json.dumps(rows, indent=1))
        return
    with out.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=RULE_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


@app.command()
def rules(
    sku: str = typer.Argument(..., help="The item whose rules to show."),
    limit: int = typer.Option(10, min=1, help="How many rules."),
) -> None:
    """Print the active model's best rules for one item."""
    from tactful.services.models import load_active

    services = open_services(load_settings())
    try:
        loaded = load_active(services.model_storage)
    finally:
        services.close()
    if loaded is None:
        raise fail("no model has been mined yet: run `tactful mine`", 1)
    found = loaded.model.rules_for(sku)[:limit]
    table = Table(title=f"Rules for {sku} (model {loaded.info.version})")
    for column in RULE_COLUMNS:
        table.add_column(column)
    for rule in found:
        row = _rule_row(rule)
        table.add_row(*(f"{v:.4f}" if isinstance(v, float) else str(v) for v in row.values()))
    console.print(table if found else f"No rules for {sku}.")


@app.command()
def evaluate(
    file: Path = typer.Argument(..., help="Order export to replay."),
    fmt: str = typer.Option(..., "--format", help=f"FILE format: {FORMAT_HELP}."),
    split: str | None = typer.Option(
        None,
        help="add-on: time:YYYY-MM-DD or random:0.8 (required); "
        "next-purchase: last (default) or time:YYYY-MM-DD.",
    ),
    seed: int = typer.Option(0, help="Seed of the random split and of the hidden items."),
    k: list[int] = typer.Option(
        [], "--k", help="Cut-offs (repeatable); default 1, 2, 10 (add-on) or 10 (next-purchase)."
    ),
    task: str = typer.Option(
        "add-on", "--task", help="add-on (hide one item per basket) or next-purchase."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Measure rankings on history: add-ons for a basket, or each customer's next purchase."""
    from tactful.domain.affinity.evaluation import Split
    from tactful.domain.affinity.evaluation import evaluate as run_evaluation

    if task not in TASKS:
        raise fail(f"--task: unknown task {task!r}; use one of {', '.join(TASKS)}", 2)
    if any(value < 1 for value in k):
        raise fail("--k: every k must be a positive integer", 2)
    if task == "next-purchase":
        run_next_purchase(_load_file, file, fmt, split, k or [10], as_json)
        return
    if split is None:
        raise fail("--split: required for --task add-on (time:YYYY-MM-DD or random:0.8)", 2)
    k = k or [1, 2, 10]
    try:
        parsed = Split.parse(split)
    except ValueError as exc:
        raise fail(f"--{exc}", 2) from exc
    baskets = _load_file(file, fmt)
    try:
        with console.status("evaluating"):
            result = run_evaluation(baskets, parsed, seed=seed, ks=sorted(set(k)))
    except ValueError as exc:
        raise fail(str(exc), 2) from exc
    if as_json:
        typer.echo(json.dumps(_evaluation_json(result), indent=1))
        return
    _print_evaluation(result)


def _evaluation_json(result: Any) -> dict[str, Any]:
    return {
        "split": result.split,
        "seed": result.seed,
        "n_train": result.n_train,
        "n_test_baskets": result.n_test_baskets,
        "results": [
            {
                "ranking": m.ranking,
                "n_test": m.n_test,
                **{f"hr@{key}": value for key, value in m.hit_rates.items()},
                "revenue_hr@2": m.revenue_hr2,
                "coverage": m.coverage,
            }
            for m in result.results
        ],
    }


def _print_evaluation(result: Any) -> None:
    body = _evaluation_json(result)
    title = (
        f"{result.split}, seed {result.seed}: {result.n_train} train baskets, "
        f"{body['results'][0]['n_test']} test carts"
    )
    print_results(title, body["results"], digits=3)
