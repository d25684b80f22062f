"""`tactful simulate`: traffic with a planted incremental revenue, stored like real traffic."""

from __future__ import annotations

import json

import typer

from tactful.cli._app import app, console, fail, load_settings, open_services


@app.command("simulate")
def simulate_command(
    days: int = typer.Option(28, "--days", help="Days of traffic, ending now."),
    customers: int = typer.Option(1000, "--customers", help="Stored customers to drive."),
    uplift: float = typer.Option(
        0.05, "--uplift", help="Planted incremental revenue, relative to baseline spend."
    ),
    seed: int = typer.Option(1, "--seed", help="Random seed (each seed runs once per database)."),
    visits: float = typer.Option(
        0.5, "--visits-per-day", help="Visits (decisions) per customer per day after the first."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Drive stored customers through decisions, responses, orders and refunds whose true
    incremental revenue is known, then compare it with `tactful report`."""
    from tactful.services.simulation import SimulationRequest

    services = open_services(load_settings())
    try:
        done = services.simulation.run(SimulationRequest(days, customers, uplift, seed, visits))
    except ValueError as exc:
        raise fail(str(exc), 2) from exc
    finally:
        services.close()
    if as_json:
        typer.echo(json.dumps(done, indent=1))
        return
    console.print(
        f"Simulated {days} days for {done['customers']:,} "
        f"customers ({done['treated']:,} treated, {done['held_out']:,} held out): "
        f"{done['decisions']:,} decisions, {done['impressions']:,} offers, "
        f"{done['orders']:,} orders, {done['refunds']:,} refunds."
    )
    console.print(
        f"Planted incremental revenue: {done['true_incremental_revenue'] / 100:,.2f} "
        f"{done['currency']}. See it estimated: tactful report --from {done['from'][:10]}"
    )
