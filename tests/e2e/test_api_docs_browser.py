"""Swagger UI and ReDoc render in a browser that cannot reach the internet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Store

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("page", "ready"), [("/docs", ".opblock"), ("/redoc", "[role=menuitem]")])
def test_api_docs_render_offline(
    browser: Any, store: Store, shots: Path, page: str, ready: str
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    outside: list[str] = []
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(store.url)
            else (outside.append(route.request.url), route.abort())
        ),
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    blocked: list[str] = []
    tab.on(
        "console",
        lambda message: blocked.append(message.text) if "violates" in message.text else None,
    )
    tab.goto(f"{store.url}{page}")
    tab.wait_for_selector(ready, timeout=15_000)
    assert "/v1/decisions" in tab.content()
    shot = shots / f"api{page.replace('/', '-')}.png"
    tab.screenshot(path=str(shot))
    print(f"screenshot: {shot}")
    assert outside == [], f"{page} tried to reach {outside}"
    assert errors == []
    print(f"requests the page's own policy blocked: {blocked}")
    context.close()
