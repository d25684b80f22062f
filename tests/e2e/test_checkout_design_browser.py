"""Design checks of every checkout page and step at 1280 and 390 px.

Each page is screenshotted (kept under the test's folder, or copied to $TACTFUL_SCREENSHOTS),
scanned with axe-core (vendored under tests/e2e/vendor) for serious or critical violations,
and weighed (HTML, CSS and JavaScript under 100 KB). Multi-step checkout: real steps with
Back and Forward, entered data kept across a reload, nothing charged before the payment step.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import VIEWPORTS, Store
from tests.e2e.seed import PAGE, SECRET, SUCCESS_CARD, count_charges

pytestmark = pytest.mark.e2e

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
AUTH = {"Authorization": f"Bearer {SECRET}"}
STEPS_PAGE = {**PAGE, "slug": "deep-focus-steps", "steps": "multi", "max_quantity": 1}
B2B_PAGE = {
    **PAGE,
    "slug": "deep-focus-b2b",
    "tax": {"mode": "exclusive", "rate_bps": 2000, "label": "VAT"},
    "branding": {"name": "Focus Academy", "primary_color": "#7fb3ff"},  # too light for white
}
WEIGHT_LIMIT = 100_000
CONTRAST_JS = """
(sel) => {
  const el = document.querySelector(sel), s = getComputedStyle(el);
  const rgb = (c) => c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
  const lum = (c) => { const v = rgb(c).map((x) => { x /= 255;
      return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const a = lum(s.color), b = lum(s.backgroundColor);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
"""


@pytest.fixture
def shop(store: Store) -> Store:
    """The seeded store with a multi-step page, an exclusive-tax page and one product image."""
    for page in (STEPS_PAGE, B2B_PAGE):
        created = httpx.post(f"{store.url}/v1/checkout-pages", json=page, headers=AUTH)
        assert created.status_code == 201, created.text
    image = {
        "sku": "COURSE",
        "name": "Deep Focus course",
        "price": 2900,
        "currency": "GBP",
        "kind": "digital",
        "compare_at_price": 3900,
        "image_url": "/c/static/example-logo.svg",
    }
    stored = httpx.post(f"{store.url}/v1/products", json={"products": [image]}, headers=AUTH)
    assert stored.status_code == 200, stored.text
    return store


class Visit:
    """A browser tab that weighs what it loads and checks each page it is asked to."""

    def __init__(self, browser: Any, viewport: str, shots: Path) -> None:
        self.context = browser.new_context(**VIEWPORTS[viewport])
        self.page = self.context.new_page()
        self.viewport, self.shots, self.bytes = viewport, shots, 0
        self.page.on("response", self._weigh)

    def _weigh(self, response: Any) -> None:
        if response.request.resource_type in {"document", "stylesheet", "script", "fetch"}:
            try:
                self.bytes += len(response.body())
            except Exception:
                return

    def goto(self, url: str) -> None:
        self.bytes = 0
        self.page.goto(url)

    def check(self, name: str) -> None:
        """Screenshot, axe scan (0 serious or critical), page weight."""
        self.page.screenshot(path=self.shots / f"{self.viewport}-{name}.png", full_page=True)
        self.page.evaluate(AXE)  # evaluate runs outside the page's CSP, as an extension would
        found = self.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target)}))"
        )
        bad = [v for v in found if v["impact"] in {"serious", "critical"}]
        assert not bad, f"{name}: {bad}"
        assert self.bytes < WEIGHT_LIMIT, f"{name} weighs {self.bytes} bytes"

    def submit(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.click(selector)


def _keep(shots: Path) -> None:
    target = os.environ.get("TACTFUL_SCREENSHOTS")
    if target:
        shutil.copytree(shots, target, dirs_exist_ok=True)


def _fill_card(page: Any) -> None:
    page.fill("#card_number", SUCCESS_CARD)
    page.fill("#card_exp", "12/34")
    page.fill("#card_cvc", "123")


@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_every_page_of_the_single_page_flow(
    browser: Any, shop: Store, shots: Path, viewport: str
) -> None:
    visit = Visit(browser, viewport, shots)
    page = visit.page
    visit.goto(shop.link())
    assert page.get_attribute(".line[data-sku=COURSE] img", "src") == "/c/static/example-logo.svg"
    if viewport == "mobile":
        assert page.is_visible("#summary-toggle")
        assert not page.is_visible("#summary-body")
        visit.check("checkout-summary-closed")
        page.click("#summary-toggle")
        assert page.get_attribute("#summary-toggle", "aria-expanded") == "true"
    else:
        assert not page.is_visible("#summary-toggle")
    assert page.is_visible("#summary-body")
    assert page.inner_text("[data-q=tax_text]") == "£4.83"
    visit.check("checkout")
    page.check("#bump-1")
    page.wait_for_function("document.getElementById('total').textContent === '£38.00'")
    assert page.inner_text("[data-q=tax_text]") == "£6.33", "the tax line follows the bump"
    assert page.inner_text("#pay-total") == "£38.00"
    assert page.is_visible("[data-bump-line=WORKBOOK]")
    assert "Test mode" in page.inner_text(".test-banner")
    assert page.evaluate(CONTRAST_JS, "#pay") >= 4.5
    visit.check("checkout-bump")
    page.fill("#email", "ann@example.com")
    page.fill("#name", "Ann Buyer")
    _fill_card(page)
    visit.submit("#pay")
    assert "What changes" in page.inner_text(".offer")
    assert "Deep Focus course" in page.inner_text(".changes")
    assert "New order total" in page.inner_text(".changes")
    visit.check("upsell")
    visit.submit("#no")
    visit.check("downsell")
    visit.submit("#no")
    visit.check("next-upsell")
    visit.submit("#yes")
    assert "Thank you" in page.inner_text("h1")
    visit.check("thank-you")
    visit.goto(shop.link(price=1900).replace("price=1900", "price=100"))
    visit.check("invalid-link")
    _keep(shots)
    visit.context.close()


@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_exclusive_tax_page_labels_prices_and_keeps_the_merchant_colour_readable(
    browser: Any, shop: Store, shots: Path, viewport: str
) -> None:
    visit = Visit(browser, viewport, shots)
    page = visit.page
    visit.goto(shop.url + f"/c/{B2B_PAGE['slug']}")
    if viewport == "mobile":
        page.click("#summary-toggle")
    assert "+ VAT" in page.inner_text(".line[data-sku=COURSE] .line-price")
    assert "Prices are shown before VAT" in page.inner_text("footer")
    page.check("#bump-2")
    page.wait_for_function("document.getElementById('total').textContent === '£40.80'")
    assert page.inner_text("[data-q=subtotal_text]") == "£34.00"
    assert page.inner_text("[data-q=tax_text]") == "£6.80"
    assert page.evaluate(CONTRAST_JS, "#pay") >= 4.5, "the light brand colour gets dark text"
    visit.check("exclusive-tax")
    _keep(shots)
    visit.context.close()


@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_multi_step_checkout_is_real_steps(
    browser: Any, shop: Store, shots: Path, viewport: str
) -> None:
    visit = Visit(browser, viewport, shots)
    page = visit.page
    visit.goto(shop.url + f"/c/{STEPS_PAGE['slug']}")
    assert page.is_visible("#step-details")
    assert not page.is_visible("#step-payment")
    assert page.get_attribute(".steps li[data-step='1']", "aria-current") == "step"
    visit.check("steps-1-details")
    page.click("#to-payment")  # nothing entered: the step says what is missing and stays
    assert page.is_visible("#details-error")
    assert not page.is_visible("#step-payment")
    page.fill("#email", "ann@example.com")
    page.fill("#name", "Ann Buyer")
    page.click("#to-payment")
    assert page.is_visible("#step-payment")
    assert not page.is_visible("#step-details")
    assert page.url.endswith("#payment")
    assert page.get_attribute(".steps li[data-step='2']", "aria-current") == "step"
    page.check("#bump-2")
    visit.check("steps-2-payment")
    page.go_back()
    assert page.is_visible("#step-details")
    assert page.input_value("#email") == "ann@example.com"
    page.go_forward()
    assert page.is_visible("#step-payment")
    page.reload()
    assert page.is_visible("#step-payment"), "a reload stays on the step"
    assert page.is_checked("#bump-2")
    page.click("#back-to-details")
    assert page.input_value("#email") == "ann@example.com", "entered data survives a reload"
    assert page.input_value("#name") == "Ann Buyer"
    assert count_charges(shop.engine, None) == 0, "nothing is charged before the payment step"
    page.click("#to-payment")
    _fill_card(page)
    visit.submit("#pay")
    assert page.get_attribute(".steps li[data-step='3']", "aria-current") == "step"
    assert count_charges(shop.engine) == 1
    visit.check("steps-3-offer")
    visit.submit("#no")
    visit.submit("#no")
    visit.submit("#no")
    visit.submit("#no")
    assert page.get_attribute(".steps li[data-step='4']", "aria-current") == "step"
    visit.check("steps-4-thank-you")
    _keep(shots)
    visit.context.close()


def test_without_javascript_multi_step_shows_every_step_and_update_total_works(
    browser: Any, shop: Store, shots: Path
) -> None:
    context = browser.new_context(**VIEWPORTS["desktop"], java_script_enabled=False)
    page = context.new_page()
    page.goto(shop.url + f"/c/{STEPS_PAGE['slug']}")
    assert page.is_visible("#step-details")
    assert page.is_visible("#step-payment")
    page.fill("#email", "ann@example.com")
    page.check("#bump-1")
    with page.expect_navigation():
        page.click("button[name=action][value=update]")
    assert page.inner_text("#total") == "£38.00"
    assert page.inner_text("[data-q=tax_text]") == "£6.33"
    assert page.is_checked("#bump-1")
    assert page.input_value("#email") == "ann@example.com"
    page.screenshot(path=shots / "no-js-update-total.png", full_page=True)
    assert count_charges(shop.engine, None) == 0
    _keep(shots)
    context.close()


def test_offer_deadline_is_shown_in_the_customers_time_zone(browser: Any, shop: Store) -> None:
    context = browser.new_context(**VIEWPORTS["desktop"], timezone_id="America/New_York")
    page = context.new_page()
    page.goto(shop.link())
    page.fill("#email", "ann@example.com")
    page.fill("#name", "Ann Buyer")
    _fill_card(page)
    with page.expect_navigation():
        page.click("#pay")
    deadline = page.inner_text("time[data-local]")
    assert "UTC" not in deadline
    assert "EST" in deadline or "EDT" in deadline or "GMT-" in deadline, deadline
    context.close()
