"""The experiments page in Chromium with a variant that harms two guardrails: the flag and its
reasons are visible in text (not colour alone) on desktop and phone, axe finds no serious
problem (contrast included), and the console stays clean."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.schema import upgrade
from tactful.settings import Settings
from tactful.web.app import create_app
from tests.conftest import LiveServer
from tests.e2e.admin_tab import AdminTab
from tests.services.guardrail_seed import plant

pytestmark = pytest.mark.e2e
SECRET = "sk_test_secret_key_0123456789"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{(tmp_path / 'tactful.db').as_posix()}"
    engine = build_engine(url)
    upgrade(engine)
    plant(engine)
    settings = Settings.from_env(
        {}, environment="test", data_dir=tmp_path, database_url=url, secret_key=SECRET
    )
    with LiveServer(create_app(settings, engine=engine)) as server:
        yield server.url
    engine.dispose()


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
