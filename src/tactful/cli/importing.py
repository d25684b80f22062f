"""`tactful import FILE --format ...`: load an order export with a progress bar and a summary."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from tactful.cli._app import app, console, fail, load_settings, open_services
from tactful.domain.imports import ImportFileError, ImportOptions, PriceUnit

if TYPE_CHECKING:
    from tactful.services.importing import ImportSummary

PRICE_UNIT_HELP = (
    "How the file writes prices: decimal (12.50, the default, as exports do) or minor "
    "(1250: whole pence or cents, the unit of the HTTP API). A warning is printed when the "
    "prices look 100x off from the catalogue's."
)


class Format(StrEnum):
    """File formats `tactful import` reads."""

    ONLINE_RETAIL = "online-retail"
    SHOPIFY = "shopify"
    BASKETS = "baskets"
    ORDERS_CSV = "orders-csv"


def parse_mapping(values: list[str]) -> dict[str, str]:
    """`order_id=Invoice,sku=Item` (repeatable) as a dict; a malformed pair is an error."""
    mapping: dict[str, str] = {}
    for value in values:
        for pair in filter(None, (p.strip() for p in value.split(","))):
            field, sep, column = pair.partition("=")
            if not sep or not field.strip() or not column.strip():
                raise ValueError(f"--map expects field=Column pairs, got {pair!r}")
            mapping[field.strip()] = column.strip()
    return mapping


def progress_bar() -> Progress:
    """A Rich progress bar measured in bytes of the file."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


def summary_table(summary: ImportSummary) -> Table:
    """The import summary as a table; the line counts add up to the lines read."""
    table = Table(title=f"Imported {summary.path} ({summary.format}) in {summary.seconds:.1f} s")
    table.add_column("what")
    table.add_column("count", justify="right")
    rows: list[tuple[str, int]] = [
        ("lines read", summary.lines_read),
        ("  lines imported", summary.lines_imported),
        *((f"  lines skipped: {reason}", n) for reason, n in summary.skipped.items()),
        ("orders new", summary.orders_new),
        ("orders already present", summary.orders_existing),
        ("  of them guest orders (no customer id)", summary.guest_orders),
        ("order lines new", summary.lines_new),
        ("products new", summary.products_new),
        ("products updated", summary.products_updated),
        ("products unchanged", summary.products_unchanged),
        ("customers new", summary.customers_new),
        ("customers already present", summary.customers_existing),
        ("price changes recorded", summary.price_points_new),
        ("warnings", len(summary.warnings)),
    ]
    for label, count in rows:
        table.add_row(label, f"{count:,}")
    return table


@app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="The export to import (.csv, .csv.gz, .xlsx)."),
    fmt: Format = typer.Option(..., "--format", "-f", help="The file's format."),
    currency: str = typer.Option("GBP", help="Currency of prices the file does not label."),
    price_unit: PriceUnit = typer.Option(PriceUnit.DECIMAL, help=PRICE_UNIT_HELP),
    timezone: str = typer.Option("UTC", help="Time zone of times without an offset."),
    mapping: list[str] = typer.Option(
        [], "--map", help="orders-csv columns, e.g. order_id=Invoice,sku=Item (repeatable)."
    ),
    skip_blank: bool = typer.Option(False, help="baskets: count blank lines instead of failing."),
    order_prefix: str = typer.Option(
        None, help="baskets: prefix of order ids (default: the file name and ':')."
    ),
) -> None:
    """Import orders from an export; all or nothing, and importing again changes nothing."""
    from tactful.services.importing import import_file

    settings = load_settings()
    try:
        options = ImportOptions(
            currency=currency,
            price_unit=price_unit,
            timezone=timezone,
            mapping=parse_mapping(mapping),
            skip_blank=skip_blank,
            order_prefix=order_prefix,
        )
        options.zone()
    except ValueError as exc:
        raise fail(str(exc), 2) from exc
    services = open_services(settings)
    try:
        with progress_bar() as bar:
            task = bar.add_task(f"Importing {file.name}", total=None)
            summary = import_file(
                services.database,
                services.order_files,
                file,
                fmt.value,
                options=options,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except ImportFileError as exc:
        raise fail(f"{exc}\nNothing was imported; the database is unchanged.") from exc
    except ValueError as exc:
        raise fail(str(exc), 2) from exc
    finally:
        services.close()
    console.print(summary_table(summary))
    for warning in summary.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}", markup=True, highlight=False)
