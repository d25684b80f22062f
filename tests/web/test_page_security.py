"""Issue 25, checkout forms: a CSRF token on every form, security headers on every page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import Engine

from tactful.settings import Settings
from tactful.web.app import create_app
from tests.conftest import LiveServer
from tests.e2e.seed import PAGE, SUCCESS_CARD, count_charges
from tests.support.browser_forms import csrf_client
from tests.web.checkout_shop import JSON, Shop, open_shop

FORM = re.compile(r'<form method="post"[^>]*>(.*?)</form>', re.S)


@pytest.fixture
def shop(settings: Settings, engine: Engine) -> Iterator[Shop]:
    yield from open_shop(settings, engine)


def _pay_form(shop: Shop, **extra: object) -> dict[str, object]:
    return {
        "idempotency_key": "k-csrf",
        "link": urlsplit(shop.link()).query,
        "email": "ann@example.com",
        "name": "Ann",
        "card_number": SUCCESS_CARD,
        "card_exp": "12/34",
        "card_cvc": "123",
        **extra,
    }


def test_every_post_form_of_every_page_carries_a_token(shop: Shop) -> None:
    client, token = csrf_client(shop.url)
    with closing(client):
        checkout = client.get(shop.link())
        forms = FORM.findall(checkout.text)
        paid = client.post(
            f"/c/{PAGE['slug']}/pay", data=_pay_form(shop, csrf_token=token), headers=JSON
        )
        offer = client.get(f"/c/{PAGE['slug']}/orders/{paid.json()['order_id']}")
        forms += FORM.findall(offer.text)
    assert len(forms) == 3  # pay, accept, decline
    for body in forms:
        assert f'<input type="hidden" name="csrf_token" value="{token}">' in body


@pytest.mark.parametrize(
    ("token", "headers"),
    [
        ("", {}),  # a browser form without the token
        ("forged", {}),
        ("", {"Origin": "https://evil.example", "Accept": "application/json"}),
        ("", {"Sec-Fetch-Site": "cross-site", "Accept": "application/json"}),
    ],
    ids=["missing", "forged", "cross-site-fetch", "fetch-metadata"],
)
def test_a_post_without_a_valid_token_is_refused_and_charges_nothing(
    shop: Shop, token: str, headers: dict[str, str]
) -> None:
    client, _ = csrf_client(shop.url)
    with closing(client):
        form = _pay_form(shop, **({"csrf_token": token} if token else {}))
        refused = client.post(f"/c/{PAGE['slug']}/pay", data=form, headers=headers)
    assert refused.status_code == 403
    assert "nothing was charged" in refused.text
    assert count_charges(shop.engine, None) == 0


def test_a_token_is_bound_to_its_visitor(shop: Shop) -> None:
    _, theirs = csrf_client(shop.url)
    client, _ = csrf_client(shop.url)
    with closing(client):
        stolen = client.post(f"/c/{PAGE['slug']}/pay", data=_pay_form(shop, csrf_token=theirs))
    assert stolen.status_code == 403


def test_api_clients_without_a_browser_still_pay_with_an_idempotency_key(shop: Shop) -> None:
    paid = httpx.post(f"{shop.url}/c/{PAGE['slug']}/pay", data=_pay_form(shop), headers=JSON)
    assert paid.status_code == 200, paid.text


def test_pages_carry_strict_security_headers(shop: Shop) -> None:
    for url in (shop.link(), f"{shop.url}/c/{PAGE['slug']}/orders/nope"):
        headers = httpx.get(url).headers
        policy = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy
        assert "script-src 'self'" in policy
        assert "object-src 'none'" in policy
        assert "default-src 'self'" in policy
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert headers["x-frame-options"] == "DENY"
        assert "strict-transport-security" not in headers  # the public URL is http here
    unavailable = httpx.get(f"{shop.url}/c/static/nope.css").headers  # no route-set policy
    assert "default-src 'self'" in unavailable["content-security-policy"]
    cookie = httpx.get(shop.link()).headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    api = httpx.get(f"{shop.url}/healthz").headers
    assert api["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in api["content-security-policy"]


def test_the_inline_style_has_this_answers_nonce(shop: Shop) -> None:
    page = httpx.get(shop.link())
    nonce = re.search(r"'nonce-([^']+)'", page.headers["content-security-policy"])
    assert nonce is not None
    assert f'<style nonce="{nonce.group(1)}">' in page.text


def test_hsts_when_the_public_url_is_https(engine: Engine, tmp_path: Path) -> None:
    settings = Settings.from_env(
        {},
        environment="test",
        data_dir=tmp_path,
        database_url=str(engine.url.render_as_string(hide_password=False)),
        secret_key="sk_test_secret_key_0123456789",
        publishable_key="pk_test_publishable_0123456789",
        public_url="https://shop.example",
    )
    with LiveServer(create_app(settings, engine=engine)) as server:
        response = httpx.get(f"{server.url}/c/-/orders/-")
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert "Secure" in response.headers["set-cookie"]
