"""`tactful backtest --policy FILE [--policy FILE] --from DATE --to DATE`: a screen of policies."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
import yaml
from rich.table import Table

from tactful.cli._app import app, console, fail, load_settings, open_services
from tactful.cli.cohorts import parse_day

if TYPE_CHECKING:
    from tactful.domain.backtest.policy_file import BacktestPolicy
    from tactful.domain.backtest.summary import PolicySummary
    from tactful.services.backtest import BacktestReport


def _line_of(root: yaml.Node | None, field: str) -> int | None:
    """The 1-based line of a top-level field (or `timing.KEY`) in a composed YAML document."""
    node = root
    for part in field.split(".", 1) if field.startswith("timing.") else [field]:
        if not isinstance(node, yaml.MappingNode):
            return None
        node = next((v for k, v in node.value if k.value == part), None)
        if node is None:
            return None
    return node.start_mark.line + 1 if node is not None else None


def load_policy(path: Path) -> BacktestPolicy:
    """Read one policy file; every problem is listed as FILE:LINE: field: message."""
    from tactful.domain.backtest.policy_file import PolicyFileError, read_policy

    try:
        text = path.read_text(encoding="utf-8")
        root, data = yaml.compose(text), yaml.safe_load(text)
    except OSError as exc:
        raise fail(f"{path}: cannot read: {exc.strerror}", 2) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise fail(f"{path}{where}: not valid YAML: {getattr(exc, 'problem', exc)}", 2) from exc
    try:
        return read_policy({} if data is None else data, default_name=path.stem)
    except PolicyFileError as exc:
        lines = []
        for problem in exc.problems:
            line = _line_of(root, problem.field)
            lines.append(
                f"{path}{'' if line is None else f':{line}'}: {problem.field}: {problem.message}"
            )
        raise fail("\n".join(lines), 2) from exc


@app.command("backtest")
def backtest_command(
    policy: list[Path] = typer.Option(..., "--policy", help="A policy YAML file (repeatable)."),
    since: str = typer.Option(..., "--from", help="First day (YYYY-MM-DD) of orders replayed."),
    until: str = typer.Option(..., "--to", help="Day (YYYY-MM-DD) replay stops (excluded)."),
    out: Path = typer.Option(Path("backtest.json"), help="Where the JSON results are written."),
) -> None:
    """Replay stored orders under each policy: what it would have offered. A screen, not proof."""
    from tactful.services.backtest import SCREEN_NOTE, run_backtest
    from tactful.standalone import keep_backtest

    try:
        start, end = day("--from", since), day("--to", until)
    except ValueError as exc:
        raise fail(str(exc), 2) from exc
    policies = [load_policy(path) for path in policy]
    services = open_services(load_settings())
    try:
        with console.status("replaying the order history"):
            report = run_backtest(
                services.history, services.decisions.catalog, policies, start=start, end=end
            )
    except ValueError as exc:
        raise fail(str(exc), 2) from exc
    finally:
        services.close()
    try:
        out.write_text(json.dumps(report.to_dict(), indent=1), encoding="utf-8")
    except OSError as exc:
        raise fail(f"--out {out}: cannot write: {exc.strerror}", 2) from exc
    console.print(results_table(report))
    if report.comparisons:
        console.print(comparison_table(report))
    console.print(f"[bold]Screen, not proof.[/bold] {SCREEN_NOTE}", highlight=False)
    console.print(f"Results written to {out}", highlight=False)
    keep_backtest(services.settings, out.stem, report.to_dict())


def day(option: str, text: str) -> datetime:
    """A required YYYY-MM-DD option as midnight UTC."""
    parsed = parse_day(option, text)
    if parsed is None:
        raise ValueError(f"{option} is required")
    return parsed


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def results_table(report: BacktestReport) -> Table:
    """One column per policy, one row per measure."""
    table = Table(
        title=f"Backtest (a screen): {report.orders_replayed:,} orders from {report.start.date()} "
        f"to {report.end.date()}, {report.models_mined} monthly models"
    )
    table.add_column("measure")
    for summary in report.policies:
        table.add_column(summary.name, justify="right")
    rows: list[tuple[str, Callable[[PolicySummary], str]]] = [
        ("moment", lambda s: s.moment),
        ("decisions", lambda s: f"{s.decisions:,}"),
        ("  held out (no offers)", lambda s: f"{s.held_out:,}"),
        ("decisions with an offer", lambda s: _share(s.offer_rate)),
        ("offers", lambda s: f"{s.offers:,}"),
        *(
            (f"  {kind}", _kind_count(kind))
            for kind in sorted({k for s in report.policies for k in s.offers_by_kind})
        ),
        ("bought anyway within window", lambda s: _share(s.bought_anyway_rate)),
        ("  window (days)", lambda s: f"{s.window_days:g}"),
        ("offers per customer-week: mean", lambda s: f"{s.weekly.mean:.2f}"),
        ("  p95 / max", lambda s: f"{s.weekly.p95:g} / {s.weekly.max}"),
        ("  customer-weeks over budget", lambda s: f"{s.weekly.over_budget:,}"),
    ]
    for label, cell in rows:
        table.add_row(label, *(cell(summary) for summary in report.policies))
    return table


def _kind_count(kind: str) -> Callable[[PolicySummary], str]:
    return lambda summary: f"{summary.offers_by_kind.get(kind, 0):,}"


def comparison_table(report: BacktestReport) -> Table:
    """Each policy against the first, on the same decisions."""
    table = Table(title="Policies compared on the same orders")
    for name in (
        "policies",
        "decisions",
        "same offers",
        "both offered",
        "only first",
        "only second",
    ):
        table.add_column(name, justify="right")
    for c in report.comparisons:
        table.add_row(
            f"{c.first} vs {c.second}",
            f"{c.decisions:,}",
            _share(c.agreement),
            _share(c.top_agreement),
            f"{c.both_offered:,}",
            f"{c.only_first:,}",
            f"{c.only_second:,}",
        )
    return table
