"""`tactful report`: did the offers add revenue? Treatment against the holdout, per offer."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

import typer
from rich import box
from rich.table import Table

from tactful.cli._app import (
    app,
    console,
    fail,
    load_settings,
    open_report_services,
    open_services,
)
from tactful.cli.cohorts import parse_day
from tactful.cli.experiment_tables import experiments_table
from tactful.domain.countries import country_name

if TYPE_CHECKING:
    from tactful.reports_composition import Reports

_COUNTS = ("impressions", "accepted", "declined", "dismissed", "converted", "ignored")


@app.command("report")
def report_command(
    since: str = typer.Option(None, "--from", help="First day (YYYY-MM-DD); default 28 days back."),
    until: str = typer.Option(None, "--to", help="Day the span ends (excluded); default now."),
    segment: str = typer.Option(
        None,
        "--segment",
        help="new, returning, or DIMENSION[:VALUE]: customer, rfm, country, kind, channel, "
        "moment, variant (variant:EXPERIMENT_ID[/VARIANT]); a whole dimension lists each value.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (overview and offers)."),
) -> None:
    """Incremental revenue with its 95% interval, lifts against the holdout, each offer's funnel."""
    try:
        start, end = parse_day("--from", since), parse_day("--to", until)
    except ValueError as exc:
        raise fail(str(exc), 2) from exc
    services = open_report_services(load_settings())
    try:
        overview, offers = services.reports.overview_and_offers(
            since=start, until=end, segment=segment
        )
        tests = [] if as_json else _experiments_in(services, overview["from"], overview["to"])
    except ValueError as exc:
        raise fail(str(exc), 2) from exc
    finally:
        services.close()
    if as_json:
        typer.echo(json.dumps({**overview, "offers": offers["offers"]}, indent=1))
        return
    console.print(summary_table(overview))
    if overview["status"] != "ok":
        console.print(f"[yellow]{overview['message']}[/yellow]")
    if any(":" in name for name in overview["segments"]):
        console.print(segments_table(overview))
    console.print(offers_table(offers))
    if tests:
        console.print(experiments_table(tests))


def _experiments_in(services: Reports, since: str, until: str) -> list[dict[str, Any]]:
    """Results of the experiments that ran during [since, until)."""
    start, end = datetime.fromisoformat(since), datetime.fromisoformat(until)
    return [
        services.experiments.results(e.experiment_id)
        for e in services.experiments.all()
        if e.started_at < end and (e.stopped_at is None or e.stopped_at >= start)
    ]


def _money(value: float | None, currency: str | None) -> str:
    if value is None:
        return "n/a"
    return f"{value / 100:,.2f} {currency or ''}".strip()


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _interval(figure: dict[str, Any], currency: str | None) -> str:
    return f"{_money(figure['ci_low'], currency)} .. {_money(figure['ci_high'], currency)}"


def summary_table(data: dict[str, Any]) -> Table:
    """The overview in rows: each figure with its 95% interval."""
    currency = data["incremental_revenue"]["currency"]
    table = Table(
        title=f"Offers against the holdout, {data['from'][:10]} to {data['to'][:10]}",
        box=box.SIMPLE_HEAD,
    )
    for name in ("figure", "estimate", "95% interval"):
        table.add_column(name, justify="right" if name != "figure" else "left")
    incremental = data["incremental_revenue"]
    per_customer = data["revenue_per_customer"]
    aov = data["aov_lift"]
    table.add_row(
        "incremental revenue (CUPED)",
        _money(incremental["estimate"], currency),
        _interval(incremental, currency),
    )
    table.add_row(
        "revenue per customer, treated / held out",
        " / ".join(_money(per_customer[key], currency) for key in ("treated", "held_out")),
        _interval(per_customer, currency),
    )
    table.add_row("AOV lift", _money(aov["estimate"], currency), _interval(aov, currency))
    table.add_row("acceptance", _share(data["acceptance_rate"]), "")
    customers = data["customers"]
    table.add_row(
        "customers, treated / held out", f"{customers['treated']:,} / {customers['held_out']:,}", ""
    )
    srm = data["srm_p_value"]
    table.add_row(
        "split check (SRM p)", f"{srm:.4f}" + (" MISMATCH" if data["srm_warning"] else ""), ""
    )
    sequential = data["sequential"]
    if sequential is not None:
        table.add_row(
            "always-valid (mSPRT) p, per customer",
            f"{sequential['p_value']:.4f}",
            _interval(sequential, currency),
        )
    return table


def segments_table(data: dict[str, Any]) -> Table:
    """Each value of the segment's dimension: customers and the lift in revenue per customer."""
    currency = data["incremental_revenue"]["currency"]
    table = Table(title="Revenue per customer lift by segment", box=box.SIMPLE_HEAD)
    for name in ("segment", "treated", "held out", "lift", "95% interval"):
        table.add_column(name, justify="left" if name == "segment" else "right")
    for name, found in data["segments"].items():
        if ":" not in name:
            continue
        lift = found["revenue_per_customer"]
        customers = found["customers"]
        table.add_row(
            _segment_label(name),
            f"{customers['treated']:,}",
            f"{customers['held_out']:,}",
            _money(lift["estimate"], currency),
            _interval(lift, currency),
        )
    return table


def _segment_label(name: str) -> str:
    """`United Kingdom (country:GB)`: a country by name, with what `--segment` takes."""
    dimension, _, value = name.partition(":")
    if dimension != "country" or country_name(value) == value:
        return name
    return f"{country_name(value)} ({name})"


def offers_table(data: dict[str, Any]) -> Table:
    """Each offer's funnel: shown, accepted, declined, dismissed, converted, ignored, revenue."""
    table = Table(
        title="Offers (converted: bought within the attribution window)", box=box.SIMPLE_HEAD
    )
    table.add_column("offer")
    table.add_column("moment")
    for name in (*_COUNTS, "net revenue"):
        table.add_column("shown" if name == "impressions" else name, justify="right")
    for row in data["offers"][:30]:
        counts = (f"{row[key]:,}" for key in _COUNTS)
        revenue = f"{row['net_revenue'] / 100:,.2f}"
        table.add_row(f"{row['kind']} {row['sku']}", row["moment"], *counts, revenue)
    return table


@app.command("rollups")
def rollups_command(
    since: str = typer.Option(
        None, "--from", help="First day to rebuild (YYYY-MM-DD); default: new and recent days."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Rebuild the daily rollups reports read (the nightly job; `tactful worker` runs it too)."""
    try:
        start = parse_day("--from", since)
    except ValueError as exc:
        raise fail(str(exc), 2) from exc
    services = open_services(load_settings())
    try:
        done = services.rollups.rebuild(since=start.date() if start else None)
    except ValueError as exc:
        raise fail(str(exc), 2) from exc
    finally:
        services.close()
    if as_json:
        typer.echo(json.dumps(done))
        return
    if not done["days"]:
        console.print("Nothing to roll up yet: no whole day of decisions before today.")
        return
    console.print(f"Rolled up {done['days']} days, {done['from']} to {done['to']} (excluded).")
