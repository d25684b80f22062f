"""Signed links over real HTTP: the quantity a customer picks, expired and re-keyed links."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from sqlalchemy import Engine, select

from tactful.adapters.db.tables import order_lines
from tactful.domain.checkout import LinkTerms, sign_link
from tactful.settings import Settings
from tests.e2e.seed import PAGE, count_charges
from tests.support.browser_forms import form_post
from tests.web.checkout_shop import Shop, open_shop

SLUG = PAGE["slug"]


@pytest.fixture
def shop(settings: Settings, engine: Engine) -> Iterator[Shop]:
    yield from open_shop(settings, engine)


def quantities(engine: Engine, order_id: str) -> list[tuple[str, int, int]]:
    """(sku, quantity, unit_price) of an order's lines."""
    query = (
        select(order_lines.c.sku, order_lines.c.quantity, order_lines.c.unit_price)
        .where(order_lines.c.order_id == order_id)
        .order_by(order_lines.c.line_no)
    )
    with engine.connect() as conn:
        return [(sku, quantity, price) for sku, quantity, price in conn.execute(query)]


def update_quantity(link: str, quantity: int) -> str:
    """What the page's quantity 'Update' form asks for: the link's parameters and the new one."""
    parts = urlsplit(link)
    html = httpx.get(link).text
    form = re.search(r'<form method="get"[^>]*>(.*?)</form>', html, re.S)
    assert form is not None, "the page has a quantity form"
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(1))
    query = urlencode([*hidden, ("quantity", str(quantity))])
    return f"{parts.scheme}://{parts.netloc}{parts.path}?{query}"


def test_update_quantity_on_a_signed_link_keeps_the_signed_price(shop: Shop) -> None:
    updated = update_quantity(shop.link(price=1900), 2)
    page = httpx.get(updated)
    assert page.status_code == 200, page.text
    assert "2 × £19.00 each" in page.text
    assert '<span class="line-price">£38.00</span>' in page.text
    response = shop.pay(updated, "k-qty", quantity="2")
    assert response.status_code == 200, response.text
    assert quantities(shop.engine, response.json()["order_id"])[0] == ("COURSE", 2, 1900)


def test_a_signed_quantity_still_cannot_be_changed(shop: Shop) -> None:
    link = shop.link(quantity=2)
    assert 'id="quantity"' not in httpx.get(link).text
    changed = link.replace("quantity=2", "quantity=3")
    page = httpx.get(changed)
    assert page.status_code == 400
    assert "changed after it was signed" in page.text
    assert shop.pay(changed, "k-signed-qty").status_code == 400
    assert count_charges(shop.engine, None) == 0


@pytest.mark.parametrize("signed", [False, True])
def test_a_quantity_above_the_maximum_is_refused_naming_it(shop: Shop, signed: bool) -> None:
    base = shop.link(price=1900) if signed else f"{shop.url}/c/{SLUG}"
    link = update_quantity(base, 50)
    page = httpx.get(link)
    assert page.status_code == 200
    alert = re.search(
        r'<div class="alert" role="alert" id="quantity-error">([^<]*)</div>', page.text
    )
    assert alert is not None, "the refusal is shown"
    assert "at most 3" in alert.group(1)
    assert "× 50" not in page.text
    response = shop.pay(link, "k-too-many", quantity="50")
    assert response.status_code == 422
    assert "between 1 and 3" in response.json()["message"]
    assert count_charges(shop.engine, None) == 0


def test_an_expired_link_says_it_expired(shop: Shop) -> None:
    link = shop.link(price=1900, expires_in_seconds=3600)
    shop.clock.advance(hours=2)
    page = httpx.get(link)
    assert page.status_code == 400
    assert "This link has expired" in page.text
    assert "changed after it was signed" not in page.text
    form = {"idempotency_key": "k-late", "link": urlsplit(link).query, "email": "a@b.co"}
    paid = form_post(f"{shop.url}/c/{SLUG}/pay", form)
    assert paid.status_code == 400
    assert "This link has expired" in paid.text


def test_a_link_signed_with_another_key_says_so(shop: Shop) -> None:
    terms = LinkTerms(price=1900)
    query = sign_link(b"the key before", SLUG, terms, now=shop.clock.now(), ttl=timedelta(days=1))
    page = httpx.get(f"{shop.url}/c/{SLUG}?{urlencode(query)}")
    assert page.status_code == 400
    assert "signed with a different key" in page.text
    assert "changed after it was signed" not in page.text
