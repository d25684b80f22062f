"""The email sequences page with figures, in Chromium on desktop and a 390-px phone: every
figure right-aligned in tabular digits like the other admin tables, nothing wider than the
screen, a clean console and nothing fetched from elsewhere. Screenshots are kept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.admin_tab import AdminTab, admin_settings, served_admin
from tests.email.support import email_container
from tests.email.test_sequence_report import send_and_react

pytestmark = pytest.mark.e2e
PUBLISHABLE = "pk_test_publishable_0123456789"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    with served_admin(tmp_path, lambda _: send_mails(tmp_path), publishable_key=PUBLISHABLE) as url:
        yield url


def send_mails(tmp_path: Path) -> None:
    """The sequences' mails sent and reacted to through a container on the same store."""
    container, _ = email_container(admin_settings(tmp_path, publishable_key=PUBLISHABLE))
    try:
        send_and_react(container)
    finally:
        container.close()


@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_the_sequences_page_with_figures(
    browser: Any, site: str, screenshots: Path, viewport: str
) -> None:
    admin = AdminTab(browser, site, viewport, landing="/admin/sequences")
    tab = admin.page
    rows = tab.locator("table tbody tr")
    assert rows.count() == 2
    tracked = tab.locator("tbody tr", has=tab.locator("th", has_text="tracked")).first
    assert tracked.locator("td").all_inner_texts()[-1].startswith("1 of 2 (50.0%)")
    alignments = tab.eval_on_selector_all(
        "table td, table thead th:not(:first-child)",
        "cells => cells.map(c => [getComputedStyle(c).textAlign,"
        " getComputedStyle(c).fontVariantNumeric])",
    )
    assert len(alignments) == 2 * 5 + 5
    assert all(align == "right" and "tabular-nums" in digits for align, digits in alignments)
    assert tab.evaluate("document.documentElement.scrollWidth <= innerWidth")
    tab.screenshot(path=screenshots / f"{viewport}-sequences-populated.png", full_page=True)
    admin.close()
