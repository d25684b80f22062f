"""`tactful clv FILE`: fit BG/NBD and Gamma-Gamma to an order export, in weeks."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from tactful.cli._app import app, console, fail
from tactful.cli.importing import Format, parse_mapping
from tactful.domain.imports import ImportFileError, ImportOptions, PriceUnit

if TYPE_CHECKING:
    from tactful.services.lifetime import ClvFit


@app.command("clv")
def clv_command(
    file: Path = typer.Argument(..., help="The order export to fit (.csv, .csv.gz, .xlsx)."),
    fmt: Format = typer.Option(..., "--format", "-f", help="The file's format."),
    calibration_end: str = typer.Option(
        ..., help="Last day (YYYY-MM-DD) of the calibration period; later orders are the holdout."
    ),
    horizon: float = typer.Option(52.0, help="Weeks ahead for expected purchases and value."),
    currency: str = typer.Option("GBP", help="Currency of prices the file does not label."),
    price_unit: PriceUnit = typer.Option(PriceUnit.DECIMAL, help="decimal (12.50) or minor."),
    timezone: str = typer.Option("UTC", help="Time zone of times without an offset."),
    mapping: list[str] = typer.Option([], "--map", help="orders-csv columns: field=Column."),
    top: int = typer.Option(10, help="Customers listed in the table, by expected value."),
    out: Path = typer.Option(None, help="Write every customer's outlook to this CSV file."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Lifetime value per customer: purchases (BG/NBD) and spend (Gamma-Gamma), time in weeks."""
    from tactful.services.lifetime import calibration_date, fit_lifetime, read_purchases
    from tactful.standalone import file_readers

    try:
        end = calibration_date(calibration_end)
        if horizon < 0:
            raise ValueError(f"--horizon must not be negative, got {horizon}")
        options = ImportOptions(
            currency=currency,
            price_unit=price_unit,
            timezone=timezone,
            mapping=parse_mapping(mapping),
        )
        options.zone()
    except ValueError as exc:
        raise fail(str(exc), 2) from exc
    if not file.is_file():
        raise fail(f"{file}: no such file", 2)
    try:
        log = read_purchases(file_readers(), file, fmt.value, options)
        fitted = fit_lifetime(log, calibration_end=end, horizon_weeks=horizon)
    except ImportFileError as exc:
        raise fail(str(exc)) from exc
    except ValueError as exc:
        raise fail(str(exc), 2) from exc
    if out is not None:
        try:
            write_customers(fitted, out)
        except OSError as exc:
            raise fail(f"--out {out}: cannot write: {exc.strerror}", 2) from exc
    if as_json:
        typer.echo(json.dumps(clv_json(fitted), indent=1))
        return
    _print_fit(fitted, top)


CUSTOMER_COLUMNS = (
    "customer_id",
    "repeat_purchases",
    "recency_weeks",
    "age_weeks",
    "mean_repeat_value",
    "probability_alive",
    "expected_purchases",
    "expected_spend",
    "expected_value",
)


def write_customers(fitted: ClvFit, path: Path) -> None:
    """One CSV row per customer of the calibration period, in the order first seen."""
    summary, values = fitted.summary, fitted.values
    columns = (
        summary.frequency,
        summary.recency,
        summary.age,
        summary.monetary,
        values.probability_alive,
        values.expected_purchases,
        values.expected_spend,
        values.expected_value,
    )
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CUSTOMER_COLUMNS)
        for row, customer in enumerate(fitted.customer_ids):
            writer.writerow([customer, *(f"{column[row]:.6g}" for column in columns)])


def clv_json(fitted: ClvFit) -> dict[str, Any]:
    """The contract shape plus the fit's context and the holdout check."""
    import numpy as np

    bg, gg, values = fitted.purchases, fitted.spend, fitted.values
    holdout = fitted.holdout
    return {
        "bgnbd": {"r": bg.r, "alpha": bg.alpha, "a": bg.a, "b": bg.b},
        "gamma_gamma": {"p": gg.p, "q": gg.q, "gamma": gg.gamma},
        "customers": fitted.summary.size,
        "repeat_customers": int(np.count_nonzero(fitted.summary.repeaters)),
        "guest_orders": fitted.guest_orders,
        "calibration_end": fitted.calibration_end.isoformat(),
        "time_unit": "weeks",
        "currency": fitted.currency,
        "log_likelihood": {"bgnbd": bg.log_likelihood, "gamma_gamma": gg.log_likelihood},
        "horizon_weeks": values.horizon,
        "expected_purchases": float(values.expected_purchases.sum()),
        "expected_value": float(values.expected_value.sum()),
        "holdout": None
        if holdout is None
        else {
            "weeks": holdout.weeks,
            "predicted_purchases": holdout.predicted_purchases,
            "actual_purchases": holdout.actual_purchases,
        },
    }


def _print_fit(fitted: ClvFit, top: int) -> None:
    bg, gg = fitted.purchases, fitted.spend
    params = Table(
        title=f"Fitted to {fitted.summary.size:,} customers, up to {fitted.calibration_end}"
    )
    params.add_column("model")
    params.add_column("parameters")
    params.add_column("log-likelihood", justify="right")
    params.add_row(
        "BG/NBD (weeks)",
        f"r={bg.r:.4f} alpha={bg.alpha:.4f} a={bg.a:.4f} b={bg.b:.4f}",
        f"{bg.log_likelihood:,.2f}",
    )
    params.add_row(
        f"Gamma-Gamma ({fitted.currency})",
        f"p={gg.p:.4f} q={gg.q:.4f} gamma={gg.gamma:.4f}",
        f"{gg.log_likelihood:,.2f}",
    )
    console.print(params)
    if fitted.holdout is not None:
        h = fitted.holdout
        console.print(
            f"Holdout ({h.weeks:.1f} weeks after the calibration end): "
            f"{h.predicted_purchases:,.0f} repeat purchases predicted, {h.actual_purchases:,} made."
        )
    console.print(_top_customers(fitted, top))


def _top_customers(fitted: ClvFit, top: int) -> Table:
    import numpy as np

    values = fitted.values
    table = Table(title=f"Top {top} customers by expected value over {values.horizon:g} weeks")
    for name in ("customer", "repeat purchases", "P(alive)", "expected purchases", "value"):
        table.add_column(name, justify="left" if name == "customer" else "right")
    expected = values.expected_value
    for index in np.argsort(-expected, kind="stable")[: max(top, 0)]:
        table.add_row(
            fitted.customer_ids[index],
            f"{fitted.summary.frequency[index]:.0f}",
            f"{values.probability_alive[index]:.2f}",
            f"{values.expected_purchases[index]:.2f}",
            f"{expected[index]:,.2f} {fitted.currency}",
        )
    return table
