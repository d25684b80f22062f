"""The shipped example page works as it is: it parses, and its logo is served by tactful."""

from __future__ import annotations

from pathlib import Path

import httpx
import yaml

from tactful.domain.checkout import parse_page
from tests.conftest import LiveServer

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "checkout-page.yaml"


def test_the_example_page_logo_is_a_local_svg(live_server: LiveServer) -> None:
    page = parse_page(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))
    logo = page.branding.logo_url
    assert logo is not None
    assert logo.startswith("/"), "the example must not need the internet"
    response = httpx.get(f"{live_server.url}{logo}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in response.content
    assert b"Focus Academy" in response.content
