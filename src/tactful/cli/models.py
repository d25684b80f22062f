"""`tactful models list|activate`: stored model versions, and rolling back to one."""

from __future__ import annotations

import typer

from tactful.cli._app import app, console, fail, load_settings, open_services

models_app = typer.Typer(help="Stored model versions.", no_args_is_help=True)
app.add_typer(models_app, name="models")


@models_app.command("list")
def list_versions(limit: int = typer.Option(20, "--limit", help="How many, newest first.")) -> None:
    """The stored model versions, newest first, and which one is active."""
    services = open_services(load_settings())
    try:
        with services.database.transaction() as tx:
            active = tx.models.active_version()
            versions = tx.models.list_models(limit=limit)
    finally:
        services.close()
    for info in versions:
        mark = "*" if info.version == active else " "
        rules = info.summary.get("n_rules", "?")
        console.print(f"{mark} {info.version}  {info.created_at:%Y-%m-%d %H:%M}  {rules} rules")


@models_app.command("activate")
def activate(
    version: str = typer.Argument(..., help="A version from `tactful models list`."),
) -> None:
    """Make a stored version the active one (servers pick it up within seconds)."""
    from tactful.services.remine import UnknownVersionError, activate_version

    services = open_services(load_settings())
    try:
        info = activate_version(services.model_storage, version)
    except UnknownVersionError as exc:
        raise fail(f"no model version {exc}", 2) from exc
    finally:
        services.close()
    console.print(f"Active model: {info.version}", highlight=False)
