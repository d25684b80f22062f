"""The hosted checkout in a real browser (desktop and mobile), from signed link to thank-you."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tactful.adapters.db.tables_checkout import charges, checkout_orders
from tests.e2e.conftest import VIEWPORTS, Store
from tests.e2e.seed import DECLINED_CARD, SUCCESS_CARD, count_charges, order_line_rows

pytestmark = pytest.mark.e2e

CONTRAST_JS = """
(sel) => {
  const el = document.querySelector(sel);
  const s = getComputedStyle(el);
  const rgb = (c) => c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
  const lum = (c) => { const v = rgb(c).map((x) => { x /= 255;
      return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const a = lum(s.color), b = lum(s.backgroundColor);
  const r = el.getBoundingClientRect();
  return {contrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05), width: r.width,
          height: r.height, fontSize: s.fontSize, fontWeight: s.fontWeight,
          visible: r.width > 0 && r.height > 0 && s.visibility === "visible"};
}
"""


STYLE_JS = "(sel) => ({color: getComputedStyle(document.querySelector(sel)).color})"


def _page(browser: Any, viewport: str, javascript: bool = True) -> Any:
    context = browser.new_context(**VIEWPORTS[viewport], java_script_enabled=javascript)
    return context.new_page()


def _fill_and_pay(page: Any, card: str = SUCCESS_CARD) -> None:
    page.fill("#email", "ann@example.com")
    page.fill("#name", "Ann Buyer")
    page.fill("#card_number", card)
    page.fill("#card_exp", "12/34")
    page.fill("#card_cvc", "123")
    _submit(page, "#pay")


def _submit(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_full_flow(browser: Any, store: Store, shots: Path, viewport: str) -> None:
    page = _page(browser, viewport)
    page.goto(store.link(price=1900))
    assert not page.is_checked("#bump-1")
    assert not page.is_checked("#bump-2")
    page.screenshot(path=shots / "1-checkout.png", full_page=True)
    page.check("#bump-1")
    assert page.inner_text("#total") == "£28.00"
    page.screenshot(path=shots / "2-bump-ticked.png", full_page=True)
    _fill_and_pay(page)
    assert re.search(r"/orders/co_\w+$", page.url)
    assert "Adds £120.00 to Visa •4242" in page.inner_text(".charge")
    page.screenshot(path=shots / "3-upsell.png", full_page=True)
    _submit(page, "#yes")
    added = page.locator(".notice")
    assert "Added to your order" in added.inner_text()
    assert added.get_attribute("role") == "status", "a success is not announced as an error"
    assert page.locator("[role=alert]").count() == 0
    assert page.evaluate(STYLE_JS, ".notice")["color"] == "rgb(27, 94, 32)"
    page.screenshot(path=shots / "4-next-offer.png", full_page=True)
    _submit(page, "#no")
    assert "Just the weekly planner" in page.inner_text("#offer-h")
    page.screenshot(path=shots / "5-downsell.png", full_page=True)
    _submit(page, "#yes")
    assert "Thank you" in page.inner_text("h1")
    assert page.inner_text("#total") == "£157.00"
    skus = page.eval_on_selector_all("tr[data-sku]", "rows => rows.map(r => r.dataset.sku)")
    assert skus == ["COURSE", "WORKBOOK", "COACHING", "TEMPLATES_MINI"]
    page.screenshot(path=shots / "6-thank-you.png", full_page=True)
    with store.engine.connect() as conn:
        orders = conn.execute(select(checkout_orders.c.order_id)).scalars().all()
        amounts = sorted(conn.execute(select(charges.c.amount)).scalars())
    assert len(orders) == 1
    lines = order_line_rows(store.engine, orders[0])
    assert [(sku, source) for sku, source, _, _ in lines] == [
        ("COURSE", "main"),
        ("WORKBOOK", "bump"),
        ("COACHING", "upsell"),
        ("TEMPLATES_MINI", "downsell"),
    ]
    assert amounts == [900, 2800, 12000]
    page.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_double_click_and_reload_charge_once(
    browser: Any, store: Store, shots: Path, javascript: bool
) -> None:
    page = _page(browser, "desktop", javascript)
    page.goto(store.link())
    _fill_and_pay(page)
    offer_url = page.url
    page.dblclick("#yes")
    # Without JavaScript the second click resubmits the form and aborts the first navigation;
    # what matters is where the browser ends up, so wait for that page however it got there.
    page.wait_for_function("() => location.search.includes('notice=')", timeout=15_000)
    page.wait_for_load_state()
    page.reload()
    page.wait_for_load_state()
    page.screenshot(path=shots / "after-double-click.png", full_page=True)
    page.goto(offer_url)
    assert "Get a coach" not in page.content()
    assert count_charges(store.engine) == 2
    with store.engine.connect() as conn:
        upsells = conn.execute(
            select(func.count())
            .select_from(charges)
            .where(charges.c.idempotency_key.like("offer:%"))
        ).scalar_one()
    assert upsells == 1
    page.context.close()


def test_tampered_link_shows_invalid_page(browser: Any, store: Store, shots: Path) -> None:
    page = _page(browser, "mobile")
    response = page.goto(store.link(price=1900).replace("price=1900", "price=100"))
    assert response.status == 400
    assert "This link is invalid" in page.inner_text("h1")
    page.screenshot(path=shots / "invalid-link.png", full_page=True)
    assert count_charges(store.engine, None) == 0
    page.context.close()


def test_declined_card_shows_error_and_keeps_form(browser: Any, store: Store, shots: Path) -> None:
    page = _page(browser, "desktop")
    page.goto(store.link())
    page.check("#bump-2")
    _fill_and_pay(page, DECLINED_CARD)
    assert "declined" in page.inner_text("[role=alert]").lower()
    assert page.input_value("#email") == "ann@example.com"
    assert page.input_value("#name") == "Ann Buyer"
    assert page.is_checked("#bump-2")
    page.screenshot(path=shots / "declined.png", full_page=True)
    assert count_charges(store.engine) == 0
    page.context.close()


@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_no_thanks_is_as_visible_as_yes(
    browser: Any, store: Store, shots: Path, viewport: str
) -> None:
    page = _page(browser, viewport)
    page.goto(store.link())
    _fill_and_pay(page)
    yes = page.evaluate(CONTRAST_JS, "#yes")
    no = page.evaluate(CONTRAST_JS, "#no")
    page.screenshot(path=shots / "offer-buttons.png", full_page=True)
    assert yes["visible"]
    assert no["visible"]
    assert (no["fontSize"], no["fontWeight"]) == (yes["fontSize"], yes["fontWeight"])
    assert abs(no["width"] - yes["width"]) <= 2
    assert abs(no["height"] - yes["height"]) <= 2
    assert no["contrast"] >= 4.5
    assert yes["contrast"] >= 4.5
    assert no["contrast"] >= 0.9 * yes["contrast"]
    page.context.close()
