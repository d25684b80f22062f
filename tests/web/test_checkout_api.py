"""Hosted checkout over real HTTP on SQLite and PostgreSQL: pages, links, paying, offers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import Engine, select

from tactful.adapters.db.tables import events
from tactful.settings import Settings
from tests.conftest import LiveServer
from tests.e2e.seed import (
    DECLINED_CARD,
    PAGE,
    SUCCESS_CARD,
    count_charges,
    order_line_rows,
)
from tests.support.browser_forms import form_post
from tests.web.checkout_shop import AUTH, JSON, Shop, open_shop
from tests.web.test_api_models import _finished as _job_finished


@pytest.fixture
def shop(settings: Settings, engine: Engine) -> Iterator[Shop]:
    yield from open_shop(settings, engine)


def test_pages_need_the_secret_key(live_server: LiveServer) -> None:
    url = f"{live_server.url}/v1/checkout-pages"
    assert httpx.post(url, json=PAGE).status_code == 401
    publishable = {"Authorization": "Bearer pk_test_publishable_0123456789"}
    assert httpx.post(url, json=PAGE, headers=publishable).status_code == 403


def test_invalid_page_names_the_field(live_server: LiveServer) -> None:
    bad = {**PAGE, "bumps": [{"sku": "A"}, {"sku": "B"}, {"sku": "C"}]}
    response = httpx.post(f"{live_server.url}/v1/checkout-pages", json=bad, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "bumps"


def test_page_shows_unticked_bumps_and_lawful_was_price(shop: Shop) -> None:
    html = httpx.get(f"{shop.url}/c/{PAGE['slug']}").text
    boxes = re.findall(r'<input type="checkbox"[^>]*>', html)
    assert len(boxes) == 2
    assert all("checked" not in box for box in boxes)
    assert "was <s>£39.00</s>, save £10.00" in html
    assert "Includes VAT" in html


def test_signed_price_is_charged_and_shows_no_was_price(shop: Shop) -> None:
    link = shop.link(price=1900)
    html = httpx.get(link).text
    assert "£19.00" in html
    assert "was <s>" not in html
    response = shop.pay(link, "k-price")
    assert response.status_code == 200
    assert order_line_rows(shop.engine, response.json()["order_id"])[0][3] == 1900


@pytest.mark.parametrize(
    "change", [lambda u: u.replace("price=1900", "price=100"), lambda u: u.split("&sig=")[0]]
)
def test_tampered_or_unsigned_price_is_refused(shop: Shop, change: object) -> None:
    link = change(shop.link(price=1900))  # type: ignore[operator]
    page = httpx.get(link)
    assert page.status_code == 400
    assert "this link is invalid" in page.text.lower()
    assert shop.pay(link, "k-tamper").status_code == 400
    assert httpx.get(f"{shop.url}/c/{PAGE['slug']}?price=1").status_code == 400
    assert count_charges(shop.engine, None) == 0


def test_expired_link_is_refused(shop: Shop) -> None:
    link = shop.link(price=1900, expires_in_seconds=3600)
    shop.clock.advance(hours=2)
    assert httpx.get(link).status_code == 400
    assert shop.pay(link, "k-expired").status_code == 400
    assert count_charges(shop.engine, None) == 0


def test_unsigned_harmless_fields_prefill(shop: Shop) -> None:
    html = httpx.get(
        f"{shop.url}/c/{PAGE['slug']}?email=bo%40example.com&name=Bo&utm_source=news&quantity=2"
    ).text
    assert 'value="bo@example.com"' in html
    assert 'value="Bo"' in html
    assert "£58.00" in html
    line = re.search(r'<li class="line" data-sku="COURSE">.*?</li>', html, re.S)
    assert line is not None
    assert '<span class="qty-badge" aria-hidden="true">2</span>' in line.group(0)
    assert "2 × £29.00 each" in line.group(0), "a line of two says how many, and each"
    assert '<span class="line-price">£58.00</span>' in line.group(0)
    assert "was <s>£39.00</s>, save £10.00 each" in line.group(0)
    assert httpx.get(f"{shop.url}/c/{PAGE['slug']}?quantity=50").status_code == 200


def test_add_on_not_offered_is_refused(shop: Shop) -> None:
    response = shop.pay(shop.link(), "k-sneaky", bump=["COACHING"])
    assert response.status_code == 422
    assert response.json()["error_field"] == "bump"
    assert count_charges(shop.engine, None) == 0


def test_same_key_returns_first_result_and_charges_once(shop: Shop) -> None:
    link = shop.link()
    first = shop.pay(link, "k-same", bump=["WORKBOOK"])
    again = shop.pay(link, "k-same", bump=["WORKBOOK"])
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert count_charges(shop.engine) == 1
    rows = order_line_rows(shop.engine, first.json()["order_id"])
    assert [(sku, source) for sku, source, _, _ in rows] == [
        ("COURSE", "main"),
        ("WORKBOOK", "bump"),
    ]


def test_same_key_with_other_body_gets_422(shop: Shop) -> None:
    link = shop.link()
    assert shop.pay(link, "k-body").status_code == 200
    response = shop.pay(link, "k-body", bump=["WORKBOOK"])
    assert response.status_code == 422
    assert response.json()["error"] == "idempotency_key_reused"
    assert count_charges(shop.engine) == 1


def test_missing_key_is_refused(shop: Shop) -> None:
    response = shop.pay(shop.link(), "")
    assert response.status_code == 400
    assert count_charges(shop.engine, None) == 0


def test_declined_card_charges_nothing_and_keeps_the_form(shop: Shop) -> None:
    link = shop.link()
    response = shop.pay(link, "k-declined", card=DECLINED_CARD)
    assert response.status_code == 402
    assert response.json()["status"] == "declined"
    form = {
        "idempotency_key": "k-declined-html",
        "link": urlsplit(link).query,
        "email": "ann@example.com",
        "name": "Ann",
        "card_number": DECLINED_CARD,
        "card_exp": "12/34",
        "card_cvc": "123",
    }
    html = form_post(f"{shop.url}/c/{PAGE['slug']}/pay", form)
    assert html.status_code == 402
    assert "declined" in html.text
    assert 'value="ann@example.com"' in html.text
    assert count_charges(shop.engine) == 0


def test_upsell_accept_decline_downsell_and_events(shop: Shop) -> None:
    order_id = shop.paid_order()
    offer = httpx.get(f"{shop.url}/c/{PAGE['slug']}/orders/{order_id}").text
    assert "Adds <strong>£120.00</strong> to Visa •4242" in offer
    accepted = httpx.post(
        shop.offer_url(order_id, "u1", "accept"), headers={**JSON, "Idempotency-Key": "acc-1"}
    )
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    assert httpx.post(shop.offer_url(order_id, "u2", "decline"), headers=JSON).status_code == 200
    downsell = httpx.get(f"{shop.url}/c/{PAGE['slug']}/orders/{order_id}").text
    assert "Just the weekly planner" in downsell
    httpx.post(shop.offer_url(order_id, "d2", "decline"), headers=JSON)
    receipt = httpx.get(f"{shop.url}/c/{PAGE['slug']}/orders/{order_id}").text
    assert "Thank you" in receipt
    assert "£149.00" in receipt
    rows = order_line_rows(shop.engine, order_id)
    assert [(s, src, o) for s, src, o, _ in rows] == [
        ("COURSE", "main", None),
        ("COACHING", "upsell", f"{order_id}-u1"),
    ]
    assert count_charges(shop.engine) == 2
    with shop.engine.connect() as conn:
        stored = conn.execute(
            select(events)
            .where(events.c.type.in_(["offer_accepted", "offer_declined"]))
            .order_by(events.c.event_id)
        ).all()
    answers = {(r.type, r.sku, r.properties["offer_id"]) for r in stored}
    assert answers == {
        ("offer_accepted", "COACHING", f"{order_id}-u1"),
        ("offer_declined", "TEMPLATES", f"{order_id}-u2"),
        ("offer_declined", "TEMPLATES_MINI", f"{order_id}-d2"),
    }
    assert all(r.properties["channel"] == "checkout" for r in stored)


def test_offer_expires_and_charges_nothing(shop: Shop) -> None:
    order_id = shop.paid_order()
    shop.clock.advance(minutes=16)
    response = httpx.post(
        shop.offer_url(order_id, "u1", "accept"), headers={**JSON, "Idempotency-Key": "late"}
    )
    assert response.status_code == 410
    assert response.json()["status"] == "offer_expired"
    html = form_post(shop.offer_url(order_id, "u1", "accept"), {"idempotency_key": "late2"})
    assert html.status_code == 410
    assert "Nothing was charged" in html.text
    assert count_charges(shop.engine) == 1
    assert len(order_line_rows(shop.engine, order_id)) == 1


def test_offers_out_of_turn_are_refused(shop: Shop) -> None:
    order_id = shop.paid_order()
    response = httpx.post(
        shop.offer_url(order_id, "d1", "accept"), headers={**JSON, "Idempotency-Key": "early"}
    )
    assert response.status_code == 409
    assert count_charges(shop.engine) == 1


def test_engine_bump_slot_renders_without_a_model(shop: Shop) -> None:
    page = {**PAGE, "slug": "engine-bump", "bumps": [{"sku": "WORKBOOK"}, {"from_engine": True}]}
    created = httpx.post(f"{shop.url}/v1/checkout-pages", json=page, headers=AUTH)
    assert created.status_code == 201
    html = httpx.get(f"{shop.url}/c/engine-bump")
    assert html.status_code == 200
    assert 'value="WORKBOOK"' in html.text
    assert "checked" not in html.text


def test_engine_bump_slot_is_filled_by_the_offer_engine(shop: Shop) -> None:
    products = [
        {
            "sku": "TENT",
            "name": "Two-person tent",
            "price": 10000,
            "currency": "GBP",
            "kind": "physical",
            "outcome": "Sleep dry on any trail",
        },
        {
            "sku": "PEGS",
            "name": "Alloy tent pegs",
            "price": 1500,
            "currency": "GBP",
            "kind": "physical",
            "outcome": "Pitch firmly on hard ground",
        },
        {"sku": "MUG", "name": "Enamel mug", "price": 800, "currency": "GBP", "kind": "physical"},
    ]
    assert httpx.post(
        f"{shop.url}/v1/products", json={"products": products}, headers=AUTH
    ).status_code in (200, 201)
    baskets = [["TENT", "PEGS"]] * 12 + [["TENT"]] * 4 + [["PEGS"]] * 2 + [["MUG"]] * 30
    orders = [
        {
            "id": f"o{n}",
            "customer_id": f"c{n}",
            "created_at": "2026-10-01T10:00:00Z",
            "lines": [{"sku": sku, "quantity": 1, "unit_price": 100} for sku in basket],
        }
        for n, basket in enumerate(baskets)
    ]
    stored = httpx.post(f"{shop.url}/v1/orders", json={"orders": orders}, headers=AUTH)
    assert stored.status_code in (200, 201), stored.text
    mined = httpx.post(f"{shop.url}/v1/models", headers=AUTH, timeout=60)
    assert mined.status_code == 202, mined.text
    assert _job_finished(shop.url, AUTH, mined.json())["status"] == "succeeded"
    page = {
        **PAGE,
        "slug": "tent",
        "items": [{"sku": "TENT", "quantity": 1}],
        "bumps": [{"from_engine": True}],
        "upsells": [],
    }
    assert httpx.post(f"{shop.url}/v1/checkout-pages", json=page, headers=AUTH).status_code == 201

    html = httpx.get(f"{shop.url}/c/tent").text

    assert 'value="PEGS"' in html
    assert "Pitch firmly on hard ground" in html
    assert "checked" not in html


def test_page_with_unknown_skus_and_preselected_bump_gets_422_naming_every_field(
    shop: Shop,
) -> None:
    bad = {
        **PAGE,
        "slug": "too-lenient",
        "bumps": [{"sku": "WORKBOOK", "preselected": True}, {"sku": "NO_SUCH_BUMP"}],
        "upsells": [{"sku": "NO_SUCH_UPSELL", "downsell": {"sku": "NO_SUCH_DOWNSELL"}}],
    }
    response = httpx.post(f"{shop.url}/v1/checkout-pages", json=bad, headers=AUTH)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_request"
    assert [e["field"] for e in body["errors"]] == [
        "bumps[0].preselected",
        "bumps[1].sku",
        "upsells[0].sku",
        "upsells[0].downsell.sku",
    ]
    assert "NO_SUCH_UPSELL" in body["errors"][2]["message"]
    stored = httpx.get(f"{shop.url}/v1/checkout-pages/too-lenient", headers=AUTH)
    assert stored.status_code == 404


def test_buyer_whose_upsells_all_dropped_out_goes_straight_to_thank_you(shop: Shop) -> None:
    page = {
        **PAGE,
        "slug": "all-dropped",
        "upsells": [
            {"sku": "WORKBOOK", "downsell": {"sku": "CHEATSHEET"}},
            {"sku": "COACHING"},
        ],
    }
    assert httpx.post(f"{shop.url}/v1/checkout-pages", json=page, headers=AUTH).status_code == 201
    retired = {"sku": "COACHING", "name": "Coaching", "price": 12000, "currency": "GBP"}
    response = httpx.post(
        f"{shop.url}/v1/products", json={"products": [{**retired, "active": False}]}, headers=AUTH
    )
    assert response.status_code in (200, 201), response.text
    link = httpx.post(
        f"{shop.url}/v1/checkout-links", json={"page": "all-dropped"}, headers=AUTH
    ).json()["url"]
    form = {
        "idempotency_key": "k-dropped",
        "link": urlsplit(link).query,
        "email": "ann@example.com",
        "name": "Ann",
        "card_number": SUCCESS_CARD,
        "card_exp": "12/34",
        "card_cvc": "123",
        "bump": ["WORKBOOK", "CHEATSHEET"],
    }
    paid = httpx.post(f"{shop.url}/c/all-dropped/pay", data=form, headers=JSON)
    assert paid.status_code == 200, paid.text
    order_id = paid.json()["order_id"]

    html = httpx.get(f"{shop.url}/c/all-dropped/orders/{order_id}").text

    assert "Thank you" in html
    assert "have closed" not in html
    assert "No thanks" not in html
    accept = httpx.post(
        f"{shop.url}/c/all-dropped/orders/{order_id}/offers/{order_id}-u2/accept",
        headers={**JSON, "Idempotency-Key": "k-dropped-accept"},
    )
    assert accept.status_code in (404, 409)
    assert count_charges(shop.engine) == 1
