"""`tactful webhooks deliver|endpoints`: webhooks out from the shell."""

from __future__ import annotations

import typer

from tactful.cli._app import app, console, load_settings, open_services
from tactful.cli.email import parse_now

webhooks_app = typer.Typer(help="Webhooks out to the merchant's endpoints.", no_args_is_help=True)
app.add_typer(webhooks_app, name="webhooks")


@webhooks_app.command("deliver")
def deliver(
    now: str | None = typer.Option(None, "--now", help="Deliver what is due then (ISO-8601)."),
) -> None:
    """Send every webhook message that is due now (what `tactful worker` also does)."""
    services = open_services(load_settings())
    try:
        attempted = services.webhook_delivery.run_due(parse_now(now))
    finally:
        services.close()
    console.print(f"{attempted} webhook message(s) attempted.")


@webhooks_app.command("endpoints")
def endpoints() -> None:
    """List the endpoints, their events, and why any is disabled."""
    services = open_services(load_settings())
    try:
        listed = services.webhooks.endpoints()
    finally:
        services.close()
    for endpoint in listed:
        state = "enabled" if endpoint.enabled else f"DISABLED: {endpoint.disabled_reason}"
        events = ", ".join(endpoint.events)
        console.print(f"{endpoint.endpoint_id} {endpoint.url} [{events}] {state}", highlight=False)
