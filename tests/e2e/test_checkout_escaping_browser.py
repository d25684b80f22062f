"""Issue 25: merchant-supplied text is escaped everywhere; scripts injected through every page
field (and every product field shown) never run, on the checkout, offer and thank-you pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import VIEWPORTS, Store
from tests.e2e.seed import PAGE, PRICES, SECRET, SUCCESS_CARD

pytestmark = pytest.mark.e2e

AUTH = {"Authorization": f"Bearer {SECRET}"}
XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


def _hostile_page() -> dict[str, Any]:
    bumps = [{"sku": b["sku"], "headline": f"H{XSS}", "reason": f"R{XSS}"} for b in PAGE["bumps"]]
    upsells = [
        {
            "sku": u["sku"],
            "headline": f"U{XSS}",
            "reason": f"W{XSS}",
            "downsell": {"sku": u["downsell"]["sku"], "headline": f"D{XSS}", "reason": XSS},
        }
        for u in PAGE["upsells"]
    ]
    return {
        **PAGE,
        "slug": "hostile",
        "title": f"T{XSS}",
        "bumps": bumps,
        "upsells": upsells,
        "branding": {"name": f"B{XSS}", "primary_color": "#0b5394"},
        "tax": {"mode": "exclusive", "rate_bps": 2000, "label": f"V{XSS}"},
    }


def test_injected_scripts_never_run(browser: Any, store: Store, shots: Path) -> None:
    products = [
        {
            "sku": sku,
            "name": f"{sku}{XSS}",
            "price": price,
            "currency": "GBP",
            "kind": "digital",
            "outcome": f"O{XSS}",
        }
        for sku, price in PRICES.items()
    ]
    stored = httpx.post(f"{store.url}/v1/products", json={"products": products}, headers=AUTH)
    assert stored.status_code == 200, stored.text
    created = httpx.post(f"{store.url}/v1/checkout-pages", json=_hostile_page(), headers=AUTH)
    assert created.status_code == 201, created.text
    page = browser.new_context(**VIEWPORTS["desktop"]).new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{store.url}/c/hostile?email=x%22%3E%3Cscript%3Ealert(3)%3C/script%3E&name={XSS}")
    assert "<script>alert(1)</script>" in page.inner_text("h1"), "shown as text, not run"
    html = page.content()
    assert "<script>alert" not in html
    assert "onerror=alert" not in html.replace("onerror=alert(2)&gt;", "")
    page.check("#bump-1")
    page.fill("#email", "ann@example.com")
    page.fill("#name", "Ann")
    page.fill("#card_number", SUCCESS_CARD)
    page.fill("#card_exp", "12/34")
    page.fill("#card_cvc", "123")
    with page.expect_navigation():
        page.click("#pay")
    page.screenshot(path=shots / "hostile-offer.png", full_page=True)
    assert "<script>alert" not in page.content()
    with page.expect_navigation():
        page.click("#yes")
    for _ in range(3):
        if page.locator("#no").count() == 0:
            break
        with page.expect_navigation():
            page.click("#no")
    assert "Thank you" in page.inner_text("h1")
    assert "<script>alert" not in page.content()
    page.screenshot(path=shots / "hostile-thank-you.png", full_page=True)
    assert dialogs == []
    page.context.close()
