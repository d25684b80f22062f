"""`tactful experiments create|load|list|show|stop`: A/B(/n) tests of the offer policy."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import typer

from tactful.cli._app import app, fail, load_settings, open_services
from tactful.domain.experiments import DEFAULT_LAYER, ExperimentError, Variant

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
    layer: str = typer.Option(DEFAULT_LAYER, help="Experiments in one layer never overlap."),
    moment: list[str] = typer.Option([], "--moment", help="A moment it applies to (repeat)."),
    traffic: int = typer.Option(100, help="Percent of the layer's customers it takes."),
) -> None:
    """Start an experiment now; weights (percent) must sum to 100. Variant settings beyond
    max offers (headline, discount, format, wait multiplier) are set in a YAML file: see
    `tactful experiments load`."""
    from tactful.services.experiments import experiment_data

    services = open_services(load_settings())
    try:
        created = services.experiments.create(
            name, [parse_variant(v) for v in variant], layer=layer, moments=moment, traffic=traffic
        )
    except ExperimentError as exc:
        raise fail(str(exc), 2) from exc
    finally:
        services.close()
    typer.echo(json.dumps(experiment_data(created), indent=1))


@experiments_app.command("load")
def load(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
) -> None:
    """Start every experiment a YAML file defines, or none (errors name file, line, field)."""
    from tactful.services.experiment_definitions import ExperimentFileError, load_experiments
    from tactful.services.experiments import experiment_data

    text = file.read_text(encoding="utf-8")
    services = open_services(load_settings())
    try:
        created = load_experiments(text, str(file), services.experiments)
    except ExperimentFileError as exc:
        raise fail(str(exc), 2) from exc
    finally:
        services.close()
    typer.echo(json.dumps([experiment_data(e) for e in created], indent=1))


@experiments_app.command("list")
def list_all() -> None:
    """Every experiment, the newest first (JSON)."""
    from tactful.services.experiments import experiment_data

    services = open_services(load_settings())
    try:
        found = [experiment_data(e) for e in services.experiments.all()]
    finally:
        services.close()
    typer.echo(json.dumps(found, indent=1))


@experiments_app.command("show")
def show(experiment_id: str = typer.Argument(...)) -> None:
    """The experiment and each variant against the control (JSON)."""
    from tactful.services.experiments import UnknownExperimentError

    services = open_services(load_settings())
    try:
        typer.echo(json.dumps(services.experiments.results(experiment_id), indent=1))
    except UnknownExperimentError as exc:
        raise fail(f"unknown experiment {experiment_id}", 1) from exc
    finally:
        services.close()


@experiments_app.command("stop")
def stop(
    experiment_id: str = typer.Argument(...),
    decision: str = typer.Option(..., help="ship, keep_control or inconclusive."),
    reason: str = typer.Option(..., help="Why (kept with the experiment)."),
    variant: str | None = typer.Option(None, help="The variant shipped (with ship)."),
    by: str = typer.Option("", help="Who decided (default: your user name)."),
) -> None:
    """Stop a running experiment, recording the decision taken and why."""
    from tactful.services.experiments import StopRequest, UnknownExperimentError, experiment_data

    request = StopRequest(decision, reason, by or getpass.getuser(), variant)
    services = open_services(load_settings())
    try:
        stopped = services.experiments.stop(experiment_id, request)
    except UnknownExperimentError as exc:
        raise fail(f"unknown experiment {experiment_id}", 1) from exc
    except ExperimentError as exc:
        raise fail(str(exc), 2) from exc
    finally:
        services.close()
    typer.echo(json.dumps(experiment_data(stopped), indent=1))
