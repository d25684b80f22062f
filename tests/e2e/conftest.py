"""Browser fixtures: Debian's Chromium driven by Playwright against a live server on SQLite."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.schema import upgrade
from tactful.settings import Settings
from tactful.web.app import create_app
from tests.conftest import LiveServer
from tests.e2e.seed import PAGE, SECRET, seed_catalogue

CHROMIUM = os.environ.get("TACTFUL_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "mobile": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """A headless Chromium; skipped when absent, except under CI where that is a failure.

    Package-scoped: Playwright's sync API keeps an event loop running in this thread while it
    is open, so it must close before the tests outside e2e/ that run their own loops.
    """
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but Chromium is missing at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


class Store:
    """The server under test and its database."""

    def __init__(self, server: LiveServer, engine: Engine) -> None:
        self.server, self.engine, self.url = server, engine, server.url

    def link(self, **terms: object) -> str:
        response = httpx.post(
            f"{self.url}/v1/checkout-links",
            json={"page": PAGE["slug"], **terms},
            headers={"Authorization": f"Bearer {SECRET}"},
        )
        assert response.status_code == 201, response.text
        return str(response.json()["url"]).replace("http://127.0.0.1:8000", self.url)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh SQLite store with the seeded page, served on a free port."""
    url = f"sqlite:///{(tmp_path / 'tactful.db').as_posix()}"
    engine = build_engine(url)
    upgrade(engine)
    seed_catalogue(engine, datetime.now(UTC))
    settings = Settings.from_env(
        {},
        environment="test",
        data_dir=tmp_path,
        database_url=url,
        secret_key=SECRET,
        publishable_key="pk_test_publishable_0123456789",
    )
    with LiveServer(create_app(settings, engine=engine)) as server:
        response = httpx.post(
            f"{server.url}/v1/checkout-pages",
            json=PAGE,
            headers={"Authorization": f"Bearer {SECRET}"},
        )
        assert response.status_code == 201
        yield Store(server, engine)
    engine.dispose()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where this test saves its screenshots."""
    folder = tmp_path / "screenshots"
    folder.mkdir()
    return folder


@pytest.fixture
def screenshots(shots: Path) -> Path:
    """The dashboard's screenshots: TACTFUL_SCREENSHOTS/admin (kept by CI as artefacts) or the
    test's own folder; printed so a person can open them."""
    folder = Path(os.environ.get("TACTFUL_SCREENSHOTS", shots)) / "admin"
    folder.mkdir(parents=True, exist_ok=True)
    print(f"admin screenshots: {folder}")
    return folder
