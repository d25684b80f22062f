"""/demo/shop is served only when TACTFUL_DEMO_SHOP is on, with the hashed widget in it."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import Engine

from tactful.settings import Settings
from tactful.web.app import create_app
from tactful.web.widget import widget_url
from tests.conftest import LiveServer

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_off_by_default(settings: Settings, engine: Engine) -> None:
    with LiveServer(create_app(settings, engine=engine)) as server:
        assert httpx.get(f"{server.url}/demo/shop").status_code == 404


def test_on_it_serves_the_shop_with_the_widget(settings: Settings, engine: Engine) -> None:
    app = create_app(settings.model_copy(update={"demo_shop": True}), engine=engine)
    with LiveServer(app) as server:
        page = httpx.get(f"{server.url}/demo/shop")
        assert page.status_code == 200
        assert f'src="{widget_url()}" async' in page.text
        assert httpx.get(f"{server.url}/demo/shop/products/NOPE").status_code == 404
        cart = httpx.get(f"{server.url}/demo/shop/cart")
        assert "Your cart is empty" in cart.text
        assert "<tactful-offers" not in cart.text  # an empty cart asks for nothing


def test_hostile_cart_input_is_a_400_naming_the_field(settings: Settings, engine: Engine) -> None:
    app = create_app(settings.model_copy(update={"demo_shop": True}), engine=engine)
    with LiveServer(app) as server:
        url = f"{server.url}/demo/shop/cart"
        as_json = {"Content-Type": "application/json"}
        for body in (b"{", b"[]", b"null", b'{"sku": "X", "quantity": "2\\u00b2"}'):
            answer = httpx.post(url, content=body, headers=as_json)
            assert answer.status_code == 400, (body, answer.text)
        for quantity in ("abc", "\u00b2", "-1", "0", "9" * 5000, "1.5"):
            answer = httpx.post(url, data={"sku": "X", "quantity": quantity})
            assert answer.status_code == 400, (quantity, answer.text)
            assert "quantity" in answer.text
