"""Bug 2: every price says what the customer pays, every total is recomputed on every change."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import Engine

from tactful.settings import Settings
from tests.e2e.seed import PAGE, count_charges
from tests.support.browser_forms import form_post
from tests.web.checkout_shop import AUTH, JSON, Shop, open_shop

EXCLUSIVE = {
    **PAGE,
    "slug": "deep-focus-b2b",
    "tax": {"mode": "exclusive", "rate_bps": 2000, "label": "VAT"},
}


@pytest.fixture
def shop(settings: Settings, engine: Engine) -> Iterator[Shop]:
    for opened in open_shop(settings, engine):
        created = httpx.post(f"{opened.url}/v1/checkout-pages", json=EXCLUSIVE, headers=AUTH)
        assert created.status_code == 201, created.text
        yield opened


def _quote(shop: Shop, slug: str, query: str = "", *bumps: str) -> httpx.Response:
    extra = "".join(f"&bump={b}" for b in bumps)
    return httpx.get(f"{shop.url}/c/{slug}/quote?{query}{extra}", headers=JSON)


def test_inclusive_tax_line_follows_the_ticked_bumps(shop: Shop) -> None:
    plain = _quote(shop, PAGE["slug"]).json()
    assert (plain["total_text"], plain["tax_text"]) == ("£29.00", "£4.83")
    both = _quote(shop, PAGE["slug"], "", "WORKBOOK", "CHEATSHEET").json()
    assert both["total_text"] == "£43.00"
    assert both["tax_text"] == "£7.16"  # 4.83 + 1.50 + 0.83, tax per line as charged
    assert both["tax_label"] == "Includes VAT (20%)"
    assert [line["sku"] for line in both["lines"]] == ["COURSE", "WORKBOOK", "CHEATSHEET"]


def test_quote_applies_an_unsigned_quantity_and_says_when_it_cannot(shop: Shop) -> None:
    link = urlsplit(shop.link(price=1900)).query
    two = _quote(shop, PAGE["slug"], f"{link}&quantity=2", "WORKBOOK").json()
    assert two["quantity"] == 2
    assert two["total"] == 2 * 1900 + 900
    too_many = _quote(shop, PAGE["slug"], f"{link}&quantity=9").json()
    assert too_many["quantity"] == 1
    assert "at most 3" in too_many["quantity_problem"]


def test_quote_refuses_a_tampered_link_and_ignores_bumps_not_offered(shop: Shop) -> None:
    link = urlsplit(shop.link(price=1900)).query.replace("price=1900", "price=100")
    refused = _quote(shop, PAGE["slug"], link)
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_link"
    assert _quote(shop, "nope").status_code == 404
    sneaky = _quote(shop, PAGE["slug"], "", "COACHING").json()
    assert sneaky["ignored_bumps"] == ["COACHING"]
    assert sneaky["total"] == 2900


def test_exclusive_page_labels_every_price_and_tells_the_truth_in_the_footer(shop: Shop) -> None:
    html = httpx.get(f"{shop.url}/c/{EXCLUSIVE['slug']}").text
    assert re.search(r'£29\.00 <span class="tax-suffix">\+ VAT</span>', html)
    assert "Add Workbook for" in html
    assert "£10.80 with VAT" in html
    assert "Prices are shown before VAT" in html
    assert "Prices include everything" not in html
    assert re.search(r"Subtotal</dt><dd[^>]*>£29\.00<", html)
    assert re.search(r"VAT \(20%\)</dt><dd[^>]*>£5\.80<", html)
    assert 'id="total" data-q="total_text" aria-live="polite">£34.80<' in html
    quote = _quote(shop, EXCLUSIVE["slug"], "", "WORKBOOK").json()
    assert (quote["subtotal"], quote["tax"], quote["total"]) == (3800, 760, 4560)
    assert quote["price_suffix"] == "+ VAT"


def test_without_javascript_update_total_recomputes_and_charges_nothing(shop: Shop) -> None:
    form = {
        "idempotency_key": "k-update",
        "link": "",
        "email": "ann@example.com",
        "name": "Ann",
        "card_number": "4242424242424242",
        "bump": ["WORKBOOK"],
        "action": "update",
    }
    page = form_post(f"{shop.url}/c/{PAGE['slug']}/pay", form)
    assert page.status_code == 200
    assert 'id="total" data-q="total_text" aria-live="polite">£38.00<' in page.text
    assert 'Includes VAT (20%)</dt><dd data-q="tax_text">£6.33<' in page.text
    assert 'value="WORKBOOK" aria-describedby="bump-1-price" checked' in page.text
    assert "4242424242424242" not in page.text, "card details are never echoed"
    assert count_charges(shop.engine, None) == 0


def test_exclusive_upsell_says_price_plus_tax_and_what_it_adds(shop: Shop) -> None:
    form = {
        "idempotency_key": "k-b2b",
        "link": "",
        "email": "ann@example.com",
        "name": "Ann",
        "card_number": "4242424242424242",
        "card_exp": "12/34",
        "card_cvc": "123",
    }
    paid = httpx.post(f"{shop.url}/c/{EXCLUSIVE['slug']}/pay", data=form, headers=JSON)
    assert paid.status_code == 200, paid.text
    offer = httpx.get(f"{shop.url}/c/{EXCLUSIVE['slug']}/orders/{paid.json()['order_id']}").text
    assert '£120.00 <span class="tax-suffix">+ VAT</span>' in offer
    assert "Adds <strong>£144.00</strong> (£120.00 + VAT £24.00)" in offer
    assert "Paid so far</th><td>£34.80" in offer
    assert "New order total</th><td>£178.80" in offer
