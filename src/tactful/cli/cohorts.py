"""`tactful cohorts`: monthly retention by cohort and upgraders against comparable customers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import typer
from rich import box
from rich.table import Table

from tactful.cli._app import app, console, fail, load_settings, open_services

if TYPE_CHECKING:
    from tactful.services.cohorts import CohortReport

MONTHS_SHOWN = 13


def parse_day(option: str, text: str | None) -> datetime | None:
    """A YYYY-MM-DD option as midnight UTC, or None when not given."""
    if text is None:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(f"{option}: expected YYYY-MM-DD, got {text!r}") from None


@app.command("cohorts")
def cohorts_command(
    since: str = typer.Option(None, "--from", help="First day (YYYY-MM-DD) of orders counted."),
    until: str = typer.Option(
        None, "--to", help="Day (YYYY-MM-DD) the history ends (excluded); default: the last order."
    ),
    window: list[int] = typer.Option(
        [30, 90, 180], "--window", help="Days to order again in (repeatable)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Retention of monthly cohorts; upgraders against comparable non-upgraders; churn after."""
    from tactful.services.cohorts import cohort_report

    try:
        start = parse_day("--from", since)
        end = parse_day("--to", until)
    except ValueError as exc:
        raise fail(str(exc), 2) from exc
    services = open_services(load_settings())
    try:
        report = cohort_report(services.history, as_of=end, since=start, windows=window)
    except ValueError as exc:
        raise fail(str(exc), 2) from exc
    finally:
        services.close()
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=1))
        return
    if not report.customers:
        console.print("Not enough data yet: no orders with a customer id in this span.")
        return
    console.print(retention_table(report))
    console.print(upgrader_table(report))


def retention_table(report: CohortReport) -> Table:
    """Cohorts by row, months after the first order by column (+1 to +12; +0 is always 100%)."""
    table = Table(
        title="% of each cohort (month of first order) ordering in later months",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("cohort", no_wrap=True)
    table.add_column("size", justify="right", no_wrap=True)
    months = min(report.retention.rates.shape[1], MONTHS_SHOWN)
    for month in range(1, months):
        table.add_column(f"+{month}", justify="right", no_wrap=True)
    for row, label in enumerate(report.retention.cohorts):
        cells = [
            "" if rate != rate else f"{100 * rate:.0f}"
            for rate in report.retention.rates[row, 1:months]
        ]
        table.add_row(label, f"{report.retention.sizes[row]:,}", *cells)
    return table


def upgrader_table(report: CohortReport) -> Table:
    """Per window: upgraders' and matched non-upgraders' share ordering again, and churn."""
    found = report.upgraders
    table = Table(
        title=f"{found.upgraders:,} upgraders, {found.matched:,} matched to "
        f"{found.controls:,} comparable customers (same cohort, month and order count)"
    )
    for name in ("within", "upgraders", "ordered again", "comparable", "difference", "churn"):
        table.add_column(name, justify="right")
    for window in found.windows:
        table.add_row(
            f"{window.days} days",
            f"{window.upgraders:,}",
            _share(window.upgrader_rate),
            _share(window.control_rate),
            _share(window.difference),
            _share(window.upgrader_churn),
        )
    return table


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"
