"""`tactful experiments create|list|show|stop`: A/B(/n) tests of the offer policy."""

from __future__ import annotations

import json

import typer

from tactful.cli._app import app, fail, load_settings, open_services
from tactful.domain.experiments import ExperimentError, Variant
from tactful.services.experiments import UnknownExperimentError, experiment_data

experiments_app = typer.Typer(help="A/B(/n) tests of the offer policy.", no_args_is_help=True)
app.add_typer(experiments_app, name="experiments")


def parse_variant(text: str) -> Variant:
    """NAME:WEIGHT or NAME:WEIGHT:MAX_OFFERS (weight in whole percent)."""
    parts = text.split(":")
    if len(parts) not in (2, 3) or not all(p.strip() for p in parts):
        raise ExperimentError("--variant", f"expected NAME:WEIGHT[:MAX_OFFERS], got {text!r}")
    try:
        numbers = [int(p) for p in parts[1:]]
    except ValueError as exc:
        message = f"weight and max offers are whole numbers: {text!r}"
        raise ExperimentError("--variant", message) from exc
    return Variant(parts[0], numbers[0], numbers[1] if len(numbers) == 2 else None)


@experiments_app.command("create")
def create(
    name: str = typer.Argument(..., help="What the experiment tests."),
    variant: list[str] = typer.Option(
        ..., "--variant", help="NAME:WEIGHT[:MAX_OFFERS]; the first is the control."
    ),
) -> None:
    """Start an experiment now; weights (percent) must sum to 100."""
    services = open_services(load_settings())
    try:
        created = services.experiments.create(name, [parse_variant(v) for v in variant])
    except ExperimentError as exc:
        raise fail(str(exc), 2) from exc
    finally:
        services.close()
    typer.echo(json.dumps(experiment_data(created), indent=1))


@experiments_app.command("list")
def list_all() -> None:
    """Every experiment, the newest first (JSON)."""
    services = open_services(load_settings())
    try:
        found = [experiment_data(e) for e in services.experiments.all()]
    finally:
        services.close()
    typer.echo(json.dumps(found, indent=1))


@experiments_app.command("show")
def show(experiment_id: str = typer.Argument(...)) -> None:
    """The experiment and each variant against the control (JSON)."""
    services = open_services(load_settings())
    try:
        typer.echo(json.dumps(services.experiments.results(experiment_id), indent=1))
    except UnknownExperimentError as exc:
        raise fail(f"unknown experiment {experiment_id}", 1) from exc
    finally:
        services.close()


@experiments_app.command("stop")
def stop(experiment_id: str = typer.Argument(...)) -> None:
    """Stop a running experiment."""
    services = open_services(load_settings())
    try:
        stopped = services.experiments.stop(experiment_id)
    except UnknownExperimentError as exc:
        raise fail(f"unknown experiment {experiment_id}", 1) from exc
    finally:
        services.close()
    typer.echo(json.dumps(experiment_data(stopped), indent=1))
