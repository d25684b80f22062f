"""The dashboard of a shop with no data yet, in Chromium on desktop and a 390-px phone: each
page says what is missing and, where a comparison needs a sample, how large; nothing wider than
the screen; a clean console. Screenshots are kept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.admin_tab import served_admin
from tests.e2e.conftest import VIEWPORTS
from tests.e2e.seed import SECRET

pytestmark = pytest.mark.e2e
SAYS = {
    "/admin": "No decisions yet",
    "/admin/offers": "No offers shown yet",
    "/admin/experiments": "customers per group are needed",
    "/admin/customers": "No customers yet This page fills in from your stored orders",
    "/admin/backtests": "No backtests saved yet",
    "/admin/sequences": "No sequence has enrolled anyone yet",
    "/admin/decisions": "No decisions yet",
}


@pytest.fixture
def empty_shop(tmp_path: Path) -> Iterator[str]:
    with served_admin(tmp_path) as url:  # migrated, nothing seeded
        yield url


@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_an_empty_shop_says_what_is_missing(
    browser: Any, empty_shop: str, screenshots: Path, viewport: str
) -> None:
    context = browser.new_context(**VIEWPORTS[viewport])
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.on(
        "console",
        lambda m: (
            problems.append(f"{m.text} {m.location['url']}")
            if m.type in ("error", "warning")
            else None
        ),
    )
    tab.on("response", lambda r: problems.append(r.url) if r.status >= 400 else None)
    tab.goto(f"{empty_shop}/admin/login")
    tab.fill("#password", SECRET)
    tab.keyboard.press("Enter")
    tab.wait_for_url(f"{empty_shop}/admin")
    tab.goto(f"{empty_shop}/admin?days=7")
    assert "No decisions in this period" in tab.locator("main").inner_text()
    assert tab.locator("a.csv").count() == 0  # one empty state, not five empty charts
    assert "customers per group are needed" in tab.locator(".tile-main").inner_text()
    for path, words in SAYS.items():
        tab.goto(f"{empty_shop}{path}")
        name = path.removeprefix("/admin").strip("/") or "overview"
        tab.screenshot(path=screenshots / f"{viewport}-empty-{name}.png", full_page=True)
        text = " ".join(tab.locator("main").inner_text().split())
        assert words in text, (path, text[:300])
        assert "NaN" not in text, path  # no division by zero shown
        assert "healthy" not in text, path  # no verdict on a split of nobody
        assert tab.evaluate("document.documentElement.scrollWidth <= innerWidth"), path
    tab.goto(f"{empty_shop}/admin/customers")
    shown = tab.locator("main svg, main table, main a.csv, main .banner")
    assert shown.count() == 0  # no empty chart, no table of zeros
    assert problems == [], problems
    context.close()
