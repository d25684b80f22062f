"""The webhook endpoint pages in Chromium, as a merchant uses them: add an endpoint (secret shown
once), send a test event, see deliveries with status, attempts and next retry, replay a failed
one, rotate the secret, edit, disable; forms refuse a missing CSRF token. Desktop and 390 px
screenshots are kept (TACTFUL_SCREENSHOTS or the test's folder)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.schema import upgrade
from tactful.container import Container
from tactful.settings import Settings
from tactful.web.app import create_app
from tests.conftest import LiveServer
from tests.e2e.conftest import VIEWPORTS
from tests.support.webhook_receiver import Receiver

pytestmark = pytest.mark.e2e
SECRET = "sk_test_secret_key_0123456789"


class Shop:
    def __init__(self, url: str, container: Container) -> None:
        self.url, self.container = url, container

    def deliver_until_given_up(self) -> None:
        """Run the worker's deliveries over the next days, as retries fall due."""
        moment = datetime.now(UTC)
        for _ in range(12):
            self.container.webhook_delivery.run_due(moment)
            moment += timedelta(days=1)


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    url = f"sqlite:///{(tmp_path / 'tactful.db').as_posix()}"
    engine = build_engine(url)
    upgrade(engine)
    settings = Settings.from_env(
        {}, environment="test", data_dir=tmp_path, database_url=url, secret_key=SECRET
    )
    app = create_app(settings, engine=engine)
    with LiveServer(app) as server:
        yield Shop(server.url, app.state.tactful)
    engine.dispose()


@pytest.fixture
def screenshots(shots: Path) -> Path:
    folder = Path(os.environ.get("TACTFUL_SCREENSHOTS", shots)) / "admin-webhooks"
    folder.mkdir(parents=True, exist_ok=True)
    print(f"webhook page screenshots: {folder}")
    return folder


def _sign_in(tab: Any, url: str) -> None:
    tab.goto(f"{url}/admin/webhooks")
    assert "/admin/login" in tab.url
    tab.fill("#password", SECRET)
    tab.keyboard.press("Enter")
    tab.wait_for_url(f"{url}/admin/webhooks")


def _add(tab: Any, url: str, description: str, events: list[str]) -> str:
    tab.fill("#url", url)
    tab.fill("#description", description)
    for event in events:
        tab.get_by_label(event).check()
    tab.get_by_role("button", name="Add endpoint").click()
    secret = tab.locator("code.secret").inner_text()
    assert secret.startswith("whsec_")
    return str(secret)


@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_a_merchant_manages_webhook_endpoints(
    browser: Any, shop: Shop, screenshots: Path, viewport: str
) -> None:
    tab = browser.new_context(**VIEWPORTS[viewport]).new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(str(error)))
    overflow = "document.documentElement.scrollWidth <= window.innerWidth"
    _sign_in(tab, shop.url)
    tab.screenshot(path=screenshots / f"{viewport}-1-empty.png", full_page=True)

    tab.fill("#url", "ftp://example.com/hooks")  # not HTTPS, and no event chosen
    tab.get_by_role("button", name="Add endpoint").click()
    assert tab.locator(".field-error").count() == 2
    tab.screenshot(path=screenshots / f"{viewport}-2-errors.png", full_page=True)

    with Receiver(status=200) as good, Receiver(status=500) as broken:
        first = _add(tab, good.url, "Order sync (ERP)", ["refund.created", "order.paid"])
        tab.screenshot(path=screenshots / f"{viewport}-3-secret-once.png", full_page=True)
        tab.reload()  # the secret is not shown again
        assert tab.locator("code.secret").count() == 0
        assert first not in tab.content()
        tab.get_by_role("button", name="Send test event").click()
        assert "Test event queued" in tab.locator(".notice").inner_text()
        shop.deliver_until_given_up()
        assert len(good.received) == 1
        assert good.received[0].headers["webhook-id"].startswith("msg_")

        tab.goto(f"{shop.url}/admin/webhooks")
        _add(tab, broken.url, "", ["offer.accepted"])
        broken_page = tab.url.split("?")[0]
        tab.get_by_role("button", name="Send test event").click()
        shop.container.webhook_delivery.run_due(datetime.now(UTC))
        tab.reload()
        row = tab.locator("table.deliveries tbody tr").first
        assert "Retrying" in row.inner_text()
        assert "HTTP 500" in row.inner_text()
        assert "UTC" in row.locator("td").nth(3).inner_text()  # the next retry
        tab.screenshot(path=screenshots / f"{viewport}-4-retrying.png", full_page=True)

        shop.deliver_until_given_up()
        tab.goto(broken_page)
        assert "Failed" in tab.locator("table.deliveries").inner_text()
        assert tab.locator(".card-head .badge.bad").inner_text() == "Disabled"
        assert tab.evaluate(overflow), "the page is wider than the screen"
        tab.screenshot(path=screenshots / f"{viewport}-5-failed.png", full_page=True)
        broken.status = 200
        tab.get_by_role("button", name="Enable").click()
        tab.get_by_role("button", name="Replay").first.click()
        assert "queued again" in tab.locator(".notice").inner_text()
        shop.container.webhook_delivery.run_due(datetime.now(UTC))
        tab.reload()
        assert "Delivered" in tab.locator("table.deliveries").inner_text()

        tab.get_by_role("button", name="Rotate secret").click()
        rotated = tab.locator("code.secret").inner_text()
        assert rotated.startswith("whsec_")
        assert rotated != first

        tab.fill("#description", "Marketing automation")
        tab.get_by_role("button", name="Save changes").click()
        assert tab.locator("h1").inner_text() == "Marketing automation"
        tab.get_by_role("button", name="Disable").click()
        assert "Endpoint disabled" in tab.locator(".notice").inner_text()

        tab.goto(f"{shop.url}/admin/webhooks")
        assert tab.locator("table.endpoints tbody tr").count() == 2
        tab.screenshot(path=screenshots / f"{viewport}-6-list.png", full_page=True)
    assert problems == []


def test_every_webhook_form_needs_the_session_and_its_csrf_token(shop: Shop) -> None:
    made = httpx.post(
        f"{shop.url}/v1/webhook-endpoints",
        json={"url": "https://example.com/hooks", "events": ["order.paid"]},
        headers={"Authorization": f"Bearer {SECRET}"},
    ).json()
    endpoint = f"/admin/webhooks/{made['endpoint_id']}"
    forms = ["/admin/webhooks", f"{endpoint}/edit", f"{endpoint}/rotate", f"{endpoint}/test"]
    forms += [f"{endpoint}/disable", f"{endpoint}/enable", f"{endpoint}/deliveries/m/replay"]
    with httpx.Client(base_url=shop.url) as anonymous:
        for path in forms:
            answer = anonymous.post(path, data={"csrf": "x", "url": "https://evil.example"})
            assert answer.status_code == 303
            assert "/admin/login" in answer.headers["location"]
    with httpx.Client(base_url=shop.url) as signed_in:
        login = signed_in.get("/admin/login")
        token = login.text.split('name="csrf" value="')[1].split('"')[0]
        signed_in.post("/admin/login", data={"password": SECRET, "csrf": token})
        for path in forms:
            answer = signed_in.post(path, data={"csrf": "forged", "url": "https://evil.example"})
            assert answer.status_code == 403, path
    endpoints = shop.container.webhooks.endpoints()
    assert [(e.url, e.enabled, e.secret) for e in endpoints] == [
        ("https://example.com/hooks", True, made["secret"])
    ]
