"""The quantity 'Update' button on a signed link, in a real browser."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tactful.adapters.db.tables import order_lines
from tactful.adapters.db.tables_checkout import checkout_orders
from tests.e2e.conftest import VIEWPORTS, Store
from tests.e2e.seed import SUCCESS_CARD, count_charges

pytestmark = pytest.mark.e2e


def _submit(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def _ordered(store: Store) -> list[tuple[str, int, int]]:
    with store.engine.connect() as conn:
        (order_id,) = conn.execute(select(checkout_orders.c.order_id)).scalars().all()
        query = select(order_lines.c.sku, order_lines.c.quantity, order_lines.c.unit_price).where(
            order_lines.c.order_id == order_id, order_lines.c.source == "main"
        )
        return [(sku, quantity, price) for sku, quantity, price in conn.execute(query)]


@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_update_quantity_on_a_signed_link(
    browser: Any, store: Store, shots: Path, viewport: str
) -> None:
    page = browser.new_context(**VIEWPORTS[viewport]).new_page()
    page.goto(store.link(price=1900))
    page.fill("#quantity", "2")
    _submit(page, "form.qty button[type=submit]")
    assert "invalid" not in page.inner_text("h1").lower()
    assert page.input_value("#quantity") == "2"
    assert page.inner_text("#total") == "£38.00"
    page.screenshot(path=shots / "quantity-2.png", full_page=True)
    page.fill("#email", "ann@example.com")
    page.fill("#name", "Ann Buyer")
    page.fill("#card_number", SUCCESS_CARD)
    page.fill("#card_exp", "12/34")
    page.fill("#card_cvc", "123")
    _submit(page, "#pay")
    assert re.search(r"/orders/co_\w+$", page.url)
    assert _ordered(store) == [("COURSE", 2, 1900)]
    page.context.close()


def test_a_quantity_above_the_maximum_is_refused(browser: Any, store: Store, shots: Path) -> None:
    page = browser.new_context(**VIEWPORTS["desktop"]).new_page()
    page.goto(store.link(price=1900))
    assert "1 to 3" in page.inner_text("label[for=quantity]")
    page.fill("#quantity", "7")
    page.click("form.qty button[type=submit]")
    assert "3" in page.eval_on_selector("#quantity", "el => el.validationMessage")
    page.goto(page.url + "&quantity=7")
    alert = page.locator("#quantity-error")
    assert "at most 3" in alert.inner_text()
    assert alert.get_attribute("role") == "alert"
    assert page.input_value("#quantity") == "1"
    assert page.inner_text("#total") == "£19.00"
    page.screenshot(path=shots / "quantity-refused.png", full_page=True)
    assert count_charges(store.engine, None) == 0
    page.context.close()
