"""The offers page's segment picker and the experiment stop form in Chromium (issue 22).

A merchant picks Country, then a country by its name, on desktop and phone, and the offers
table follows; a stop without a reason comes back with the message next to the reason box,
focused there, and the form keeps what was typed. Screenshots are kept; axe finds no serious
problem and the console stays clean.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tactful.adapters.db.experiments import SqlExperimentStore
from tactful.adapters.db.transaction import SqlDatabase
from tactful.domain.clock import FixedClock
from tactful.domain.experiments import Variant
from tactful.services.experiments import ExperimentService
from tests.e2e.admin_tab import AdminTab, served_admin
from tests.services.measurement_wiring import measurement_reads
from tests.support.dashboard_seed import START, seed_store
from tests.web.admin.test_admin_offer_segments import seed_countries

pytestmark = pytest.mark.e2e


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    with served_admin(tmp_path, seed_countries_and_an_experiment) as url:
        yield url


def seed_countries_and_an_experiment(engine: Engine) -> None:
    seed_store(engine, decisions_count=900, days=60)
    seed_countries(engine)
    ExperimentService(
        SqlExperimentStore(engine), measurement_reads(SqlDatabase(engine)), FixedClock(START)
    ).create("One offer or two", [Variant("control", 50), Variant("one_offer", 50, max_offers=1)])


@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_the_offers_page_picks_a_segment_like_the_overview(
    browser: Any, site: str, screenshots: Path, viewport: str
) -> None:
    tab = AdminTab(browser, site, viewport)
    page = tab.page
    page.goto(f"{site}/admin/offers")
    every = page.locator("table").first.locator("tbody tr").count()
    picker = page.locator("nav[aria-label=Segment]")
    assert picker.locator("a[aria-current=true]").inner_text() == "All customers"
    picker.locator("a", has_text="Country").click()
    page.wait_for_url("**segment=country")
    values = page.locator("nav[aria-label='Country values']")
    assert values.is_visible()
    assert values.locator("a[aria-current=true]").inner_text() == "Every country"
    values.locator("a", has_text="France").click()
    page.wait_for_url("**segment=country%3AFR")  # the name is shown, the code is the link's
    assert values.locator("a[aria-current=true]").inner_text().startswith("France")
    assert "whose country is France" in page.locator(".segment-note").inner_text()
    assert 0 < page.locator("table").first.locator("tbody tr").count() <= every
    page.screenshot(path=screenshots / f"{viewport}-offers-segment.png", full_page=True)
    assert tab.serious_axe_findings() == []
    page.goto(f"{site}/admin?segment=country")
    lift = page.locator("section[aria-label^='Lift by segment'] svg.chart:visible")
    assert lift.count() == 1  # the drawing that fits this screen, of its two
    labels = lift.locator("text").all_text_contents()
    assert any(label.startswith("United Kingdom (") for label in labels), labels
    lift.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / f"{viewport}-overview-by-country.png", full_page=True)
    assert tab.serious_axe_findings() == []
    tab.close()


@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_a_refused_stop_shows_the_error_by_the_field(
    browser: Any, site: str, screenshots: Path, viewport: str
) -> None:
    tab = AdminTab(browser, site, viewport)
    page = tab.page
    page.goto(f"{site}/admin/experiments")
    form = page.locator("form.stop-form")
    form.scroll_into_view_if_needed()
    form.screenshot(path=screenshots / f"{viewport}-stop-form.png")
    form.locator("select[name=decision]").select_option("ship:one_offer")
    form.locator("textarea[name=reason]").fill("   ")  # filled, so the browser lets it go
    form.locator("input[name=by]").fill("Ann from marketing")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    reason = page.locator("textarea[name=reason]")
    assert reason.get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.name") == "reason"
    error = page.locator(".field-error")
    assert error.count() == 1
    assert error.inner_text().startswith("Say why you are stopping it")
    below = reason.bounding_box()
    message = error.bounding_box()
    assert below is not None
    assert message is not None
    assert 0 <= message["y"] - (below["y"] + below["height"]) < 24  # right under the box
    assert page.locator("select[name=decision]").input_value() == "ship:one_offer"
    assert page.locator("input[name=by]").input_value() == "Ann from marketing"
    page.locator(".stop").screenshot(path=screenshots / f"{viewport}-stop-form-error.png")
    page.screenshot(path=screenshots / f"{viewport}-stop-form-page.png", full_page=True)
    assert tab.serious_axe_findings() == []
    reason.fill("One offer earned as much as two, with fewer declines")
    page.locator("form.stop-form button[type=submit]").click()
    page.wait_for_url(f"{site}/admin/experiments")
    assert "ship one_offer" in page.locator(".stop-record").inner_text()
    tab.close(expected="status of 422")  # the refused stop, answered 422 on purpose
