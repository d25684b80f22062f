"""`tactful links create`: signed checkout links whose price, product and quantity hold."""

from __future__ import annotations

import re
from datetime import timedelta

import typer

from tactful.cli._app import app, console, fail, load_settings, open_services, with_saved_keys
from tactful.domain.checkout import LinkTerms

links_app = typer.Typer(help="Signed checkout links.", no_args_is_help=True)
app.add_typer(links_app, name="links")

_DURATION = re.compile(r"^(\d+)([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """'30m', '12h', '7d' or '2w' as a timedelta."""
    match = _DURATION.match(text.strip())
    if match is None or int(match.group(1)) == 0:
        raise ValueError(f"--expires: use a number and m, h, d or w (e.g. 7d), got {text!r}")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


@links_app.command("create")
def create(
    page: str = typer.Option(..., "--page", help="Slug of the checkout page."),
    price: int | None = typer.Option(
        None, "--price", min=0, help="Unit price of the main product in minor units (1900 = 19.00)."
    ),
    sku: str | None = typer.Option(None, "--sku", help="Sell this product instead of the page's."),
    quantity: int | None = typer.Option(None, "--quantity", min=1, max=100, help="Fixed quantity."),
    expires: str = typer.Option(
        "7d", "--expires", help="How long the link is valid: 30m, 12h, 7d."
    ),
) -> None:
    """Print a URL whose price, product and quantity are signed (HMAC-SHA256) and expire."""
    from tactful.services.checkout import CheckoutNotFoundError, create_link

    try:
        ttl = parse_duration(expires)
    except ValueError as exc:
        raise fail(str(exc), 2) from exc
    settings = load_settings()
    if not settings.link_secret:
        settings = with_saved_keys(settings)  # the secret key `serve` uses signs by default
    services = open_services(settings)
    deps = services.checkout
    try:
        url = create_link(deps, settings.base_url, page, LinkTerms(price, sku, quantity), ttl)
    except CheckoutNotFoundError as exc:
        raise fail(str(exc)) from exc
    finally:
        services.close()
    console.print(url, soft_wrap=True, highlight=False)
