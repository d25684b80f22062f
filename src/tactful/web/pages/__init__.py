"""Server-rendered hosted pages: Jinja2 templates and their small static files."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from jinja2 import Environment, PackageLoader, select_autoescape

from tactful.domain.checkout import display
from tactful.domain.money import Money
from tactful.web.page_security import FIELD, csp_nonce, csrf_token

STATIC_TYPES = {
    "checkout.css": "text/css",
    "checkout.js": "text/javascript",
    "stripe-checkout.js": "text/javascript",  # only on pages taking real cards
    "admin.css": "text/css",  # the merchant dashboard (/admin/static/admin.css)
    "admin-icon.svg": "image/svg+xml",  # its tab icon (no request for /favicon.ico)
    "example-logo.svg": "image/svg+xml",  # the logo of examples/checkout-page.yaml
}


def _money(value: Money | None) -> str:
    return value.format() if value is not None else ""


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The template environment (autoescaped; built on first use, not at import)."""
    env = Environment(
        loader=PackageLoader("tactful.web.pages", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = _money
    env.filters["rate"] = display.rate_text
    env.globals.update(
        price_suffix=display.price_suffix,
        tax_line=display.tax_line,
        footer_note=display.footer_note,
        palette=display.palette,
        csrf_field=FIELD,
    )
    return env


def render(name: str, **context: object) -> str:
    """Render a template to HTML text, with this request's CSRF token and style nonce."""
    template = environment().get_template(name)
    return template.render(csrf_token=csrf_token(), csp_nonce=csp_nonce(), **context)


@lru_cache(maxsize=len(STATIC_TYPES))
def static_file(name: str) -> bytes:
    """A static asset's bytes (only the known ones: no path tricks)."""
    if name not in STATIC_TYPES:
        raise KeyError(name)
    return (files("tactful.web.pages") / "static" / name).read_bytes()
