"""The experiments page in Chromium with a variant that harms two guardrails: the flag and its
reasons are visible in text (not colour alone) on desktop and phone, axe finds no serious
problem (contrast included), and the console stays clean."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.admin_tab import AdminTab, served_admin
from tests.services.guardrail_seed import plant

pytestmark = pytest.mark.e2e


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    with served_admin(tmp_path, plant) as url:
        yield url


@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_the_harm_flag_is_visible_in_words(
    browser: Any, site: str, screenshots: Path, viewport: str
) -> None:
    admin = AdminTab(browser, site, viewport)
    tab = admin.page
    tab.goto(f"{site}/admin/experiments")
    banner = tab.locator(".banner.harm")
    assert banner.count() == 1
    assert banner.is_visible()
    assert "pushy harms decline rate and unsubscribe rate" in banner.inner_text()
    assert banner.get_attribute("role") == "alert"
    flags = tab.locator("table.guardrails .flag.harm")
    assert [f.inner_text().strip() for f in flags.all()] == [
        "⚠ harms decline rate",
        "⚠ harms unsubscribe rate",
    ]
    tab.screenshot(path=screenshots / f"{viewport}-guardrails.png", full_page=True)
    assert admin.serious_axe_findings() == []
    admin.close()
