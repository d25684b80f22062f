"""The dashboard in Chromium: sign in, walk every page on desktop and phone, keyboard, no errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.e2e.admin_tab import served_admin
from tests.e2e.conftest import VIEWPORTS
from tests.e2e.seed import SECRET
from tests.support.dashboard_seed import seed_store

pytestmark = pytest.mark.e2e
PAGES = {
    "overview": "/admin",
    "offers": "/admin/offers",
    "experiments": "/admin/experiments",
    "customers": "/admin/customers",
    "backtests": "/admin/backtests",
    "sequences": "/admin/sequences",
    "decisions": "/admin/decisions",
    "decision": "/admin/decisions/dec_0000003",
    "overview-by-rfm": "/admin?segment=rfm",
}
BACKTEST = {
    "kind": "screen, not proof",
    "from": datetime(2026, 11, 1, tzinfo=UTC).isoformat(),
    "to": datetime(2027, 3, 1, tzinfo=UTC).isoformat(),
    "orders_replayed": 1500,
    "policies": [
        {
            "name": name,
            "moment": "checkout",
            "decisions": 1500,
            "offers": offers,
            "observable_offers": offers,
            "bought_anyway": anyway,
            "weekly": {"mean": mean, "over_budget": 0},
        }
        for name, offers, anyway, mean in (
            ("one-offer", 1320, 61, 1.1),
            ("two-offers", 2480, 140, 2.0),
        )
    ],
}


@pytest.fixture
def dashboard(tmp_path: Path) -> Iterator[str]:
    with served_admin(tmp_path, lambda e: seed_and_backtest(e, tmp_path), holdout_share=0.1) as url:
        yield url


def seed_and_backtest(engine: Engine, data_dir: Path) -> None:
    seed_store(engine, decisions_count=1500, days=180)
    (data_dir / "backtests").mkdir()
    (data_dir / "backtests" / "checkout-policies.json").write_text(json.dumps(BACKTEST))


CHARTS = {"overview": 4, "offers": 1, "customers": 1, "overview-by-rfm": 4}
"""Charts drawn to fit their figure on each page (the cohort heatmap scrolls instead)."""
FITS_THE_SCREEN = "document.documentElement.scrollWidth <= innerWidth"
CHART_TEXT_PX = """[...document.querySelectorAll('svg.chart:not(.chart-natural)')]
  .filter(svg => svg.getClientRects().length)
  .map(svg => 12 * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width)"""
"""The size on screen of each shown chart's 12-unit text: the SVG scales it with its width."""
FIGURES_LEFT_ALIGNED = r"""[...document.querySelectorAll('td')]
  .filter(td => /^[−+-]?[£$€]?[0-9][0-9,.]*(%| pp)?$/.test(td.innerText.trim()))
  .filter(td => getComputedStyle(td).textAlign !== 'right')
  .map(td => td.innerText)"""
"""Cells holding a figure (a count, an amount, a share) that are not right-aligned."""
BROKEN_HEADINGS = """[...document.querySelectorAll('.card-head h2')]
  .filter(h => h.getBoundingClientRect().height > 1.6 * parseFloat(getComputedStyle(h).lineHeight))
  .map(h => h.textContent)"""
"""Card headings squeezed onto two lines by what stands beside them (a date range, a link)."""


def _sign_in(tab: Any, url: str) -> None:
    tab.goto(f"{url}/admin")
    assert "/admin/login" in tab.url
    tab.fill("#password", SECRET)
    tab.keyboard.press("Enter")
    tab.wait_for_url(f"{url}/admin")


@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_walk_every_page(browser: Any, dashboard: str, screenshots: Path, viewport: str) -> None:
    context = browser.new_context(**VIEWPORTS[viewport])
    outside: list[str] = []
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(dashboard)
            else (outside.append(route.request.url), route.abort())
        ),
    )
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    tab.goto(f"{dashboard}/admin/login")
    tab.screenshot(path=screenshots / f"{viewport}-0-login.png", full_page=True)
    _sign_in(tab, dashboard)
    for i, (name, path) in enumerate(PAGES.items(), start=1):
        tab.goto(f"{dashboard}{path}")
        assert tab.locator("h1").count() == 1, name
        for svg in tab.locator("svg.chart").all():
            assert svg.get_attribute("role") == "img"
            assert svg.locator("title").count() == 1
        tab.screenshot(path=screenshots / f"{viewport}-{i}-{name}.png", full_page=True)
        assert tab.evaluate(FITS_THE_SCREEN), f"{name} is wider than the {viewport} screen"
        shown = tab.evaluate(CHART_TEXT_PX)  # one of each chart's two drawings
        assert len(shown) == CHARTS.get(name, 0), (name, shown)
        assert all(10 <= px <= 16 for px in shown), (name, viewport, shown)
        assert tab.evaluate(FIGURES_LEFT_ALIGNED) == [], name
        assert tab.evaluate(BROKEN_HEADINGS) == [], (name, viewport)
        if name == "decision":
            candidates = tab.get_by_role("region", name="Candidates of this decision")
            assert candidates.locator("tbody tr").count() == 3
            assert candidates.get_by_text("dropped", exact=True).count() == 2
    assert outside == [], outside
    assert problems == [], problems
    context.close()


def test_keyboard_reaches_navigation_and_tables(browser: Any, dashboard: str) -> None:
    context = browser.new_context(**VIEWPORTS["desktop"])
    tab = context.new_page()
    _sign_in(tab, dashboard)
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.textContent") == "Skip to content"
    visited = []
    for _ in range(8):
        tab.keyboard.press("Tab")
        visited.append(tab.evaluate("document.activeElement.textContent.trim()"))
    assert "Offers" in visited
    assert "Customers" in visited
    tab.focus("nav[aria-label=Dashboard] a:text('Offers')")
    tab.keyboard.press("Enter")
    tab.wait_for_url(f"{dashboard}/admin/offers")
    tab.goto(f"{dashboard}/admin")
    summary = tab.locator("summary").first
    summary.focus()
    tab.keyboard.press("Enter")
    assert tab.locator("details").first.get_attribute("open") is not None
    context.close()


OUTLINE = """(() => { const el = document.activeElement, style = getComputedStyle(el);
  return [el.tagName + ' ' + (el.textContent || '').trim().slice(0, 30),
          style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2]; })()"""
"""The focused element and whether it shows a visible (2 px or wider) outline."""


@pytest.mark.parametrize(
    "path", ["/admin", "/admin/customers", "/admin/experiments", "/admin/offers", PAGES["decision"]]
)
def test_every_stop_of_the_keyboard_shows_where_it_is(
    browser: Any, dashboard: str, screenshots: Path, path: str
) -> None:
    context = browser.new_context(**VIEWPORTS["desktop"])
    tab = context.new_page()
    _sign_in(tab, dashboard)
    tab.goto(f"{dashboard}{path}")
    unmarked, stops = [], 0
    for _ in range(40):
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement === document.body"):
            break
        name, outlined = tab.evaluate(OUTLINE)
        stops += 1
        if not outlined:
            unmarked.append(name)
        if stops == 10:
            shot = screenshots / f"desktop-focus-{path.strip('/').replace('/', '-')}.png"
            tab.screenshot(path=shot)
    assert stops >= 10
    assert unmarked == []
    context.close()
