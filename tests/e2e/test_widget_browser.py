"""The offers widget in Chromium on the demo shop: render, respond, time out, keep out of
payment, work by keyboard alone, and move nothing on the page. Screenshots are kept."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.schema import upgrade
from tactful.adapters.db.tables_offers import offer_responses
from tactful.settings import Settings
from tactful.web.app import create_app
from tests.conftest import LiveServer

SECRET = "sk_test_secret_key_0123456789"
LADDER = [("MAT", 1, 2000), ("MAT_PLUS", 2, 2600), ("MAT_PRO", 3, 3200)]
WIDGET = "tactful-offers"
CLS_PROBE = """  // layout shifts as CLS counts them (those right after input excluded)
window.__shifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries())
    if (!entry.hadRecentInput) window.__shifts.push(entry.value);
}).observe({ type: "layout-shift", buffered: true });
"""


class Shop:
    def __init__(self, server: LiveServer, engine: Engine) -> None:
        self.url, self.engine = server.url, engine

    def responses(self) -> list[str]:
        with self.engine.connect() as connection:
            query = sa.select(offer_responses.c.response).order_by(offer_responses.c.at)
            return [row.response for row in connection.execute(query)]


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    """The demo shop on SQLite with a three-rung ladder of mats (so a cart gets upsells)."""
    url = f"sqlite:///{(tmp_path / 'tactful.db').as_posix()}"
    engine = build_engine(url)
    upgrade(engine)
    settings = Settings.from_env(
        {},
        environment="test",
        data_dir=tmp_path,
        database_url=url,
        secret_key=SECRET,
        publishable_key="pk_test_publishable_0123456789",
        demo_shop=True,
    )
    products = [
        {
            "sku": sku,
            "name": f"Yoga {sku.replace('_', ' ').title()}",
            "price": price,
            "currency": "GBP",
            "tier": {"ladder": "mats", "rank": rank},
            "outcome": "Practise longer without sore knees" if rank > 1 else None,
        }
        for sku, rank, price in LADDER
    ]
    with LiveServer(create_app(settings, engine=engine)) as server:
        answer = httpx.post(
            f"{server.url}/v1/products",
            json={"products": products},
            headers={"Authorization": f"Bearer {SECRET}"},
        )
        assert answer.status_code == 200, answer.text
        yield Shop(server, engine)
    engine.dispose()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    context.add_init_script(CLS_PROBE)
    tab = context.new_page()
    yield tab
    context.close()


def fill_cart(page: Any, shop: Shop) -> None:
    page.goto(f"{shop.url}/demo/shop/products/MAT")
    page.get_by_role("button", name="Add to cart").click()
    page.wait_for_url("**/demo/shop/cart")


def asked_for(moment: str) -> Any:
    """Matches the decision answer for `moment` (not an earlier page's)."""

    def matches(response: Any) -> bool:
        sent = response.request.post_data or ""
        return response.url.endswith("/v1/decisions") and f'"moment":"{moment}"' in sent

    return matches


def widget_height(page: Any) -> float:
    return float(page.locator(WIDGET).evaluate("e => e.getBoundingClientRect().height"))


def wait_for_answer(page: Any, shop: Shop, before: int) -> None:
    deadline = time.monotonic() + 5
    while len(shop.responses()) <= before and time.monotonic() < deadline:
        page.wait_for_timeout(50)


def test_offers_render_and_add_reaches_the_api_and_the_cart(
    page: Any, shop: Shop, shots: Path
) -> None:
    fill_cart(page, shop)
    adds = page.locator(WIDGET).get_by_role("button", name="to cart")
    adds.first.wait_for()
    count = adds.count()
    assert 1 <= count <= 2
    assert page.locator(WIDGET).get_by_role("button", name="No thanks").count() == count
    assert page.locator(WIDGET).locator("input[type=checkbox]").count() == 0  # nothing pre-ticked
    box = page.locator(WIDGET).locator("[part=container]")
    assert "£" in box.inner_text()
    assert "Yoga Mat Plus" in box.inner_text()  # the product is named, not only the outcome
    page.wait_for_timeout(300)  # the 0.2 s fade-in
    page.screenshot(path=shots / "1-cart-offers.png", full_page=True)
    label = adds.first.get_attribute("aria-label")
    assert label is not None
    assert label.startswith("Add Yoga Mat ")
    adds.first.click()
    wait_for_answer(page, shop, 0)
    assert shop.responses() == ["accepted"]
    page.wait_for_function("document.getElementById('cart-count').textContent === '2'")
    assert page.locator("#cart-lines tr").count() == 2
    assert sum(page.evaluate("window.__shifts")) == 0
    page.screenshot(path=shots / "2-after-add.png", full_page=True)


def test_decline_and_dismiss_reach_the_api_and_leave_no_space(
    page: Any, shop: Shop, shots: Path
) -> None:
    fill_cart(page, shop)
    widget = page.locator(WIDGET)
    widget.get_by_role("button", name="No thanks").first.wait_for()
    shown = widget.get_by_role("button", name="No thanks").count()
    widget.get_by_role("button", name="No thanks").first.click()
    wait_for_answer(page, shop, 0)
    assert shop.responses() == ["declined"]
    if shown == 2:
        page.screenshot(path=shots / "1-one-left.png", full_page=True)
        widget.get_by_role("button", name="Dismiss suggestions").click()
        wait_for_answer(page, shop, 1)
        assert shop.responses() == ["declined", "dismissed"]
    page.wait_for_function("document.querySelector('tactful-offers').offsetHeight === 0")
    assert widget_height(page) == 0
    page.screenshot(path=shots / "2-gone.png", full_page=True)


def test_past_the_timeout_nothing_shows_and_the_page_is_intact(
    page: Any, shop: Shop, shots: Path
) -> None:
    fill_cart(page, shop)

    def slow(route: Any) -> None:
        time.sleep(1.5)  # past the widget's 800 ms
        with contextlib.suppress(Exception):  # the widget gave up on it already
            route.continue_()

    page.route("**/v1/decisions", slow)
    page.reload()
    page.wait_for_timeout(2500)
    assert page.locator(WIDGET).get_by_role("button").count() == 0
    assert widget_height(page) == 0
    assert page.get_by_role("link", name="Checkout").is_visible()
    assert page.locator("#cart-lines tr").count() == 1
    assert sum(page.evaluate("window.__shifts")) == 0
    page.screenshot(path=shots / "timed-out.png", full_page=True)


def test_nothing_renders_during_payment_because_the_api_says_so(
    page: Any, shop: Shop, shots: Path
) -> None:
    fill_cart(page, shop)
    with page.expect_response(asked_for("payment")) as answered:
        page.goto(f"{shop.url}/demo/shop/checkout")
    decision = answered.value.json()
    assert answered.value.status == 200
    assert decision["offers"] == []
    assert any("payment_in_progress" in entry["reasons"] for entry in decision["trace"])
    page.wait_for_timeout(300)
    assert page.locator(WIDGET).get_by_role("button").count() == 0
    assert widget_height(page) == 0
    page.screenshot(path=shots / "payment.png", full_page=True)
    page.get_by_label("I confirm this order").check()
    page.get_by_role("button", name="Pay now").click()
    page.wait_for_url("**/demo/shop/thank-you")
    page.screenshot(path=shots / "thank-you.png", full_page=True)


def _focused(page: Any) -> dict[str, str]:
    return dict(
        page.evaluate(
            """() => {
              let node = document.activeElement;
              while (node && node.shadowRoot && node.shadowRoot.activeElement)
                node = node.shadowRoot.activeElement;
              const style = node ? getComputedStyle(node) : null;
              return {
                label: (node && (node.getAttribute("aria-label") || node.textContent)) || "",
                outline: style ? style.outlineStyle : "",
              };
            }"""
        )
    )


def tab_to(page: Any, label_start: str) -> dict[str, str]:
    for _ in range(30):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if focused["label"].startswith(label_start):
            return focused
    raise AssertionError(f"Tab never reached {label_start!r}")


def test_keyboard_alone_adds_and_declines(page: Any, shop: Shop, shots: Path) -> None:
    page.emulate_media(reduced_motion="reduce")
    fill_cart(page, shop)
    page.locator(WIDGET).get_by_role("button", name="to cart").first.wait_for()
    box = page.locator(WIDGET).locator("[part=container]")
    assert box.evaluate("e => getComputedStyle(e).animationName") == "none"
    shown = page.locator(WIDGET).get_by_role("button", name="to cart").count()
    focused = tab_to(page, "Add Yoga Mat")
    assert focused["outline"] not in ("", "none")  # focus is visible
    page.screenshot(path=shots / "1-focus.png", full_page=True)
    page.keyboard.press("Enter")
    wait_for_answer(page, shop, 0)
    assert shop.responses() == ["accepted"]
    if shown == 2:
        assert _focused(page)["label"].startswith("Add Yoga Mat")  # focus moves to the next
        tab_to(page, "No thanks")
        page.keyboard.press("Enter")
        wait_for_answer(page, shop, 1)
        assert shop.responses() == ["accepted", "declined"]
    live = page.locator(WIDGET).locator("[aria-live=polite]")
    assert live.count() == 1
    page.screenshot(path=shots / "2-done.png", full_page=True)


def test_a_compact_presentation_is_one_line(page: Any, shop: Shop, shots: Path) -> None:
    """An experiment's `compact` variant: headline, price, Add and No thanks on one line."""

    def compact(route: Any) -> None:
        answer = route.fetch()
        body = answer.json()
        body["presentation"] = "compact"
        route.fulfill(response=answer, json=body)

    page.route("**/v1/decisions", compact)
    fill_cart(page, shop)
    offer = page.locator(WIDGET).locator("[part~=compact]").first
    offer.wait_for()
    page.wait_for_timeout(300)
    page.screenshot(path=shots / "compact.png", full_page=True)
    parts = ["[part=headline]", "[part=price]", "[part=add]", "[part=decline]"]
    tops = [offer.locator(p).bounding_box()["y"] for p in parts]
    heights = [offer.locator(p).bounding_box()["height"] for p in parts]
    assert max(tops) - min(tops) < max(heights)  # all four on one line
    assert offer.locator("[part=reason]").count() == 0
    offer.locator("[part=add]").click()
    wait_for_answer(page, shop, 0)
    assert shop.responses() == ["accepted"]
