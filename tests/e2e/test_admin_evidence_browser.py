"""The decision page's evidence and the offers table in Chromium (issue 22, dashboard).

A merchant opens a decision and reads why each candidate was offered, in words with the
figures behind it, and why the others were dropped; the offers table reads without sideways
scrolling at 1280 and 1440 px and stacks into one block per offer on a 390-px phone, while
its CSV keeps every column. Screenshots are kept; axe finds no serious problem, the keyboard
reaches the tables, and the console stays clean.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tactful.domain.offers.reasons import REASON_TEXT
from tests.e2e.admin_tab import AdminTab, served_admin
from tests.support.dashboard_seed import seed_store

pytestmark = pytest.mark.e2e
DECISION = "/admin/decisions/dec_0000003"
CO_PURCHASES = re.compile(
    r"^(\d+%|Under 1%) of [\d,]+ customers who bought .+ also bought .+ "
    r"\([\d,]+ customers, lift \d+\.\d\)$"
)
SCROLLS_SIDEWAYS = "el => el.scrollWidth > el.clientWidth"
CSV_COLUMNS = 14


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    with served_admin(tmp_path, lambda e: seed_store(e, decisions_count=1500, days=180)) as url:
        yield url


@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_a_decision_says_why_each_candidate_was_offered_or_dropped(
    browser: Any, site: str, screenshots: Path, viewport: str
) -> None:
    tab = AdminTab(browser, site, viewport, landing=DECISION)
    page = tab.page
    candidates = page.get_by_role("region", name="Candidates of this decision")
    rows = candidates.locator("tbody tr")
    assert rows.count() == 3
    kept = candidates.locator("tr.kept-row")
    assert kept.count() == 1
    assert CO_PURCHASES.match(kept.locator("td.grounds").inner_text()), kept.inner_text()
    assert re.search(r"\+£[\d,]+\.\d\d", kept.inner_text())
    reasons = set(REASON_TEXT.values())
    for row in rows.all():
        if "dropped" in row.locator("td.outcome").inner_text():
            said = row.locator("td.outcome").inner_text().removeprefix("dropped").strip()
            assert all(part in reasons for part in said.split("; ")), said
            assert row.locator("td.grounds").inner_text() != "–"
    assert not candidates.evaluate(SCROLLS_SIDEWAYS)
    page.screenshot(path=screenshots / f"{viewport}-decision-evidence.png", full_page=True)
    assert tab.serious_axe_findings() == []
    for _ in range(30):  # the keyboard reaches the candidates
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('aria-label')") == (
            "Candidates of this decision"
        ):
            break
    else:
        raise AssertionError("Tab never reached the candidates")
    tab.close()


@pytest.mark.parametrize(
    ("viewport", "width"), [("desktop", 1280), ("desktop", 1440), ("mobile", 390)]
)
def test_the_offers_table_fits_the_screen_and_its_csv_keeps_every_column(
    browser: Any, site: str, screenshots: Path, viewport: str, width: int
) -> None:
    tab = AdminTab(browser, site, viewport, landing="/admin/offers")
    page = tab.page
    page.set_viewport_size({"width": width, "height": 900 if viewport == "desktop" else 844})
    table = page.get_by_role("region", name="Offers by item and moment")
    assert not table.evaluate(SCROLLS_SIDEWAYS)
    first = table.locator("tbody tr").first
    assert first.locator("td").count() == 5
    acceptance = first.locator("td[data-label=Acceptance]").inner_text()
    assert re.fullmatch(r"\d+\.\d%\s+[\d,]+ accepted", acceptance), acceptance
    declines = first.locator("td[data-label='Decline rate']").inner_text()
    assert re.fullmatch(r"\d+\.\d%\s+[\d,]+ declined · [\d,]+ dismissed", declines), declines
    page.screenshot(path=screenshots / f"{viewport}-{width}-offers.png", full_page=True)
    if viewport == "desktop":
        assert table.locator("thead").is_visible()
    else:  # one block per offer: the figures under the offer's name, none beside another
        boxes = [cell.bounding_box() for cell in first.locator("td").all()]
        assert len({round(box["x"]) for box in boxes if box}) == 1
    with page.expect_download() as download:
        table.locator("xpath=ancestor::section").get_by_role("link", name="Download CSV").click()
    rows = list(csv.reader(Path(download.value.path()).read_text(encoding="utf-8").splitlines()))
    assert len(rows[0]) == CSV_COLUMNS
    assert len(rows) - 1 == table.locator("tbody tr").count()
    assert tab.serious_axe_findings() == []
    tab.close()
