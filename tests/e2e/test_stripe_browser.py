"""The Stripe checkout in a real browser: the page's own script, its CSP and the confirmation
of an upsell the bank wants approved, with Stripe.js and Stripe's API played locally."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.schema import upgrade
from tactful.settings import Settings
from tactful.web.app import create_app
from tests.conftest import LiveServer
from tests.e2e.conftest import VIEWPORTS, Store
from tests.e2e.seed import PAGE, SECRET, order_line_rows, seed_catalogue
from tests.stripe_standin import StripeStandIn
from tests.stripe_standin_http import StandInServer

pytestmark = pytest.mark.e2e

FAKE_STRIPE_JS = (Path(__file__).parent / "fake_stripe.js").read_text(encoding="utf-8")
STRIPE_SECRET = "sk_test_standin_0123456789"


@pytest.fixture
def stripe_store(tmp_path: Path) -> Iterator[tuple[Store, StripeStandIn]]:
    """The seeded store on SQLite, taking cards with Stripe (the local stand-in)."""
    api = StripeStandIn(STRIPE_SECRET, lambda: datetime.now(UTC))
    url = f"sqlite:///{(tmp_path / 'tactful.db').as_posix()}"
    engine = build_engine(url)
    upgrade(engine)
    seed_catalogue(engine, datetime.now(UTC))
    with StandInServer(api) as stripe_server:
        settings = Settings.from_env(
            {},
            environment="test",
            data_dir=tmp_path,
            database_url=url,
            secret_key=SECRET,
            publishable_key="pk_test_publishable_0123456789",
            payment_gateway="stripe",
            stripe_secret_key=STRIPE_SECRET,
            stripe_publishable_key="pk_test_standin",
            stripe_webhook_secret="whsec_standin",
            stripe_api_base=stripe_server.url,
        )
        with LiveServer(create_app(settings, engine=engine)) as server:
            auth = {"Authorization": f"Bearer {SECRET}"}
            response = httpx.post(f"{server.url}/v1/checkout-pages", json=PAGE, headers=auth)
            assert response.status_code == 201
            yield Store(server, engine), api
    engine.dispose()


def _browser_page(browser: Any, viewport: str, api: StripeStandIn, violations: list[str]) -> Any:
    page = browser.new_context(**VIEWPORTS[viewport]).new_page()
    page.route(
        "https://js.stripe.com/v3/",
        lambda route: route.fulfill(body=FAKE_STRIPE_JS, content_type="text/javascript"),
    )
    page.route("https://api.stripe.com/test/**", lambda route: _confirm(route, api))
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return page


def _confirm(route: Any, api: StripeStandIn) -> None:
    """Stripe's side of Stripe.js confirming in the page (3-D Secure passed)."""
    ident = route.request.url.split("/payment_intents/")[1].split("/")[0]
    sent = json.loads(route.request.post_data or "{}")
    with api.lock:
        intent = api.objects[ident]
        if "number" in sent:
            card = {"number": sent["number"], "exp_month": "12", "exp_year": "2034", "cvc": "123"}
            sent = {
                "payment_method": api.create_payment_method({"type": "card", "card": card})["id"]
            }
        api.confirm_in_browser(intent, sent)
    route.fulfill(
        body=json.dumps(intent),
        content_type="application/json",
        headers={"Access-Control-Allow-Origin": "*"},
    )


@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_paying_with_the_payment_element_and_confirming_an_upsell(
    browser: Any,
    stripe_store: tuple[Store, StripeStandIn],
    shots: Path,
    viewport: str,
) -> None:
    store, api = stripe_store
    violations: list[str] = []
    page = _browser_page(browser, viewport, api, violations)
    page.goto(store.link())
    page.wait_for_selector("#fake-card")
    assert page.locator("#save-card-notice").is_visible()
    page.screenshot(path=shots / "1-stripe-checkout.png", full_page=True)
    page.fill("#email", "ann@example.com")
    page.fill("#name", "Ann Buyer")
    page.click("#pay")
    page.wait_for_selector("#payment-message:not([hidden])")
    assert "incomplete" in page.inner_text("#payment-message")
    page.fill("#fake-card", "4000002500003155")
    page.check("input[name=bump] >> nth=0")
    with page.expect_navigation(url="**/orders/**"):
        page.click("#pay")
    page.screenshot(path=shots / "2-paid-upsell.png", full_page=True)
    order_id = page.url.split("/orders/")[1].split("?")[0]
    assert [r[0] for r in order_line_rows(store.engine, order_id)] == ["COURSE", "WORKBOOK"]
    with page.expect_navigation(url="**/confirm"):
        page.click("form[action$='/accept'] button")
    page.screenshot(path=shots / "3-confirm-upsell.png", full_page=True)
    with page.expect_navigation(url="**/orders/*?notice=added"):
        page.click("#confirm-offer button")
    page.screenshot(path=shots / "4-upsell-added.png", full_page=True)
    skus = [r[0] for r in order_line_rows(store.engine, order_id)]
    assert skus == ["COURSE", "WORKBOOK", "COACHING"]
    assert violations == []
