"""Checkout with the Stripe gateway over real HTTP, against the local Stripe API stand-in.

The browser's part (Stripe.js confirming a PaymentIntent, 3-D Secure included) is played by
the stand-in's confirm call; everything else is the real app on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select

from tactful.adapters.db.tables_checkout import checkout_charges, checkout_orders
from tactful.adapters.db.transaction import SqlDatabase
from tactful.domain.refunds import OrderRefund, RefundStatus
from tactful.settings import Settings
from tests.e2e.seed import PAGE, order_line_rows
from tests.stripe_signing import event_body, signature_header
from tests.stripe_standin import StripeStandIn
from tests.stripe_standin_http import StandInServer
from tests.support.browser_forms import form_post
from tests.web.checkout_shop import AUTH, JSON, Shop, open_shop

STRIPE_SECRET = "sk_test_standin_0123456789"
WEBHOOK_SECRET = "whsec_standin_0123456789"
SUCCEEDS, AUTHENTICATES = "4242424242424242", "4000002500003155"


@pytest.fixture
def stripe_api() -> Iterator[tuple[StripeStandIn, str]]:
    api = StripeStandIn(STRIPE_SECRET, lambda: datetime.now(UTC))
    with StandInServer(api) as server:
        yield api, server.url


@pytest.fixture
def shop(
    settings: Settings, engine: Engine, stripe_api: tuple[StripeStandIn, str]
) -> Iterator[Shop]:
    stripe_settings = settings.model_copy(
        update={
            "payment_gateway": "stripe",
            "stripe_secret_key": STRIPE_SECRET,
            "stripe_publishable_key": "pk_test_standin",
            "stripe_webhook_secret": WEBHOOK_SECRET,
            "stripe_api_base": stripe_api[1],
        }
    )
    yield from open_shop(stripe_settings, engine)


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def start(shop: Shop, key: str = "k1") -> dict[str, Any]:
    response = shop.pay(shop.link(), key)
    assert response.status_code == 200, response.text
    outcome: dict[str, Any] = response.json()
    assert outcome["status"] == "requires_confirmation"
    return outcome


def browser_confirms(api: StripeStandIn, payment_ref: str, number: str = SUCCEEDS) -> None:
    """What Stripe.js does in the page: a card typed into the Payment Element, confirmed."""
    card = {"number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123"}
    with api.lock:
        method = api.create_payment_method({"type": "card", "card": card})
        api.confirm_in_browser(api.objects[payment_ref], {"payment_method": method["id"]})


def deliver(
    shop: Shop, event_id: str, kind: str, obj: dict[str, Any], secret: str = WEBHOOK_SECRET
) -> httpx.Response:
    body = event_body(event_id, kind, obj)
    headers = {
        "Stripe-Signature": signature_header(body, secret),
        "Content-Type": "application/json",
    }
    return httpx.post(f"{shop.url}/webhooks/stripe", content=body, headers=headers)


def paid_order(shop: Shop, api: StripeStandIn, number: str = SUCCEEDS) -> tuple[str, str]:
    outcome = start(shop, f"pay-{number}")
    browser_confirms(api, outcome["charge_id"], number)
    back = httpx.get(f"{shop.url}{outcome['data']['return_url']}")
    assert back.status_code == 303, back.text
    return outcome["order_id"], outcome["charge_id"]


def test_the_page_takes_cards_with_the_payment_element_and_says_it_saves_them(shop: Shop) -> None:
    page = httpx.get(shop.link())
    assert page.status_code == 200
    html, policy = page.text, page.headers["content-security-policy"]
    assert 'id="payment-element"' in html
    assert '<script src="https://js.stripe.com/v3/"></script>' in html
    assert 'name="card_number"' not in html
    assert 'class="test-banner"' in html  # a pk_test_ key: clearly marked test mode
    assert "Your card is saved securely with Stripe" in html  # the page has one-click upsells
    assert "script-src 'self' https://js.stripe.com" in policy
    missing = httpx.get(f"{shop.url}/c/{PAGE['slug']}/orders/nope")
    assert "js.stripe.com" not in missing.headers["content-security-policy"]


def test_the_test_gateway_page_allows_no_external_script(
    settings: Settings, engine: Engine
) -> None:
    for plain in open_shop(settings, engine):
        page = httpx.get(plain.link())
        assert "script-src 'self';" in page.headers["content-security-policy"]
        assert "js.stripe.com" not in page.text
        assert 'name="card_number"' in page.text


def test_the_order_is_made_when_stripe_says_the_payment_succeeded(
    shop: Shop, stripe_api: tuple[StripeStandIn, str]
) -> None:
    api = stripe_api[0]
    outcome = start(shop)
    sent = [r for r in api.requests if r.path == "/v1/payment_intents"][-1]
    assert sent.params["amount"] == str(outcome["data"]["total"])
    assert (sent.params["currency"], sent.params["setup_future_usage"]) == ("gbp", "off_session")
    assert sent.idempotency_key == "checkout:k1"
    assert start(shop)["charge_id"] == outcome["charge_id"]  # same key: the same PaymentIntent
    return_url = f"{shop.url}{outcome['data']['return_url']}"
    early = httpx.get(return_url)  # back without confirming: nothing is made
    assert early.status_code == 402
    assert count(shop.engine, checkout_orders) == 0
    browser_confirms(api, outcome["charge_id"])
    back = httpx.get(return_url)
    assert back.status_code == 303
    assert back.headers["location"] == f"/c/{PAGE['slug']}/orders/{outcome['order_id']}"
    assert httpx.get(return_url).status_code == 303
    succeeded = deliver(
        shop, "evt_1", "payment_intent.succeeded", api.objects[outcome["charge_id"]]
    )
    assert succeeded.json() == {"received": True, "event_id": "evt_1", "duplicate": False}
    again = deliver(shop, "evt_1", "payment_intent.succeeded", api.objects[outcome["charge_id"]])
    assert again.json()["duplicate"] is True
    assert count(shop.engine, checkout_orders) == 1
    assert count(shop.engine, checkout_charges) == 1
    assert [row[0] for row in order_line_rows(shop.engine, outcome["order_id"])] == ["COURSE"]


def test_the_webhook_alone_settles_the_order_and_bad_signatures_change_nothing(
    shop: Shop, stripe_api: tuple[StripeStandIn, str]
) -> None:
    api = stripe_api[0]
    outcome = start(shop)
    browser_confirms(api, outcome["charge_id"])
    intent = api.objects[outcome["charge_id"]]
    forged = deliver(shop, "evt_f", "payment_intent.succeeded", intent, secret="whsec_forged")
    assert forged.status_code == 400
    assert forged.json()["error"] == "invalid_signature"
    assert count(shop.engine, checkout_orders) == 0
    assert deliver(shop, "evt_2", "payment_intent.succeeded", intent).status_code == 200
    assert count(shop.engine, checkout_orders) == 1
    order = httpx.get(f"{shop.url}/c/{PAGE['slug']}/orders/{outcome['order_id']}")
    assert order.status_code == 200


def test_a_failed_payment_makes_no_order(shop: Shop, stripe_api: tuple[StripeStandIn, str]) -> None:
    api = stripe_api[0]
    outcome = start(shop)
    browser_confirms(api, outcome["charge_id"], "4000000000000002")
    intent = api.objects[outcome["charge_id"]]
    assert deliver(shop, "evt_3", "payment_intent.payment_failed", intent).status_code == 200
    back = httpx.get(f"{shop.url}{outcome['data']['return_url']}")
    assert back.status_code == 402
    assert "Nothing was charged" in back.text
    assert count(shop.engine, checkout_orders) == 0


def test_an_upsell_needing_authentication_is_confirmed_on_session_and_charged_once(
    shop: Shop, stripe_api: tuple[StripeStandIn, str]
) -> None:
    api = stripe_api[0]
    order_id, _ = paid_order(shop, api, AUTHENTICATES)
    accept = shop.offer_url(order_id, "u1", "accept")
    first = httpx.post(accept, headers={**JSON, "Idempotency-Key": "acc-1"})
    assert first.status_code == 402
    step = first.json()
    assert step["status"] == "requires_action"
    assert step["data"]["client_secret"].startswith(step["charge_id"])
    off_session = [r for r in api.requests if r.params.get("off_session") == "true"]
    assert [r.idempotency_key for r in off_session] == [f"offer:{order_id}-u1"]
    second = httpx.post(accept, headers={**JSON, "Idempotency-Key": "acc-2"})
    assert (second.status_code, second.json()["charge_id"]) == (402, step["charge_id"])
    assert len([r for r in api.requests if r.params.get("off_session") == "true"]) == 1
    html_click = form_post(accept, {"idempotency_key": "acc-3"})
    assert html_click.status_code == 303
    assert html_click.headers["location"] == step["data"]["confirm_url"]
    page = httpx.get(f"{shop.url}{step['data']['confirm_url']}")
    assert page.status_code == 200
    assert step["data"]["client_secret"] in page.text
    assert "js.stripe.com" in page.headers["content-security-policy"]
    with api.lock:
        api.confirm_in_browser(api.objects[step["charge_id"]], {})
    confirmed = form_post(f"{shop.url}{step['data']['confirm_url']}ed", {})
    assert confirmed.status_code == 303
    intent = api.objects[step["charge_id"]]
    assert deliver(shop, "evt_4", "payment_intent.succeeded", intent).status_code == 200
    skus = [row[0] for row in order_line_rows(shop.engine, order_id)]
    assert skus == ["COURSE", "COACHING"]
    assert count(shop.engine, checkout_charges) == 2


def test_no_thanks_on_a_waiting_upsell_cancels_its_payment(
    shop: Shop, stripe_api: tuple[StripeStandIn, str]
) -> None:
    api = stripe_api[0]
    order_id, _ = paid_order(shop, api, AUTHENTICATES)
    step = httpx.post(
        shop.offer_url(order_id, "u1", "accept"), headers={**JSON, "Idempotency-Key": "a1"}
    ).json()
    declined = httpx.post(shop.offer_url(order_id, "u1", "decline"), headers=JSON)
    assert declined.json()["status"] == "declined"
    assert api.objects[step["charge_id"]]["status"] == "canceled"
    page = httpx.get(f"{shop.url}/c/{PAGE['slug']}/orders/{order_id}")
    assert "One coaching call instead" in page.text  # the downsell follows
    assert [row[0] for row in order_line_rows(shop.engine, order_id)] == ["COURSE"]


def test_refunds_go_through_stripe_and_dashboard_refunds_and_disputes_arrive_by_webhook(
    shop: Shop, stripe_api: tuple[StripeStandIn, str]
) -> None:
    api = stripe_api[0]
    order_id, payment_ref = paid_order(shop, api)
    ours = httpx.post(
        f"{shop.url}/v1/orders/{order_id}/refunds",
        json={"amount": 500},
        headers={**AUTH, "Idempotency-Key": "r1"},
    )
    assert ours.status_code == 201, ours.text
    assert ours.json()["gateway_ref"].startswith("re_")
    with api.lock:
        api.create_refund({"payment_intent": payment_ref, "amount": "300"})
    charge = api.objects[api.objects[payment_ref]["latest_charge"]]
    refunded = deliver(shop, "evt_5", "charge.refunded", charge)
    assert refunded.status_code == 200
    listed = httpx.get(f"{shop.url}/v1/orders/{order_id}/refunds", headers=AUTH).json()
    assert sorted(r["amount"] for r in listed["refunds"]) == [300, 500]
    dispute = {**api.fixtures["dispute"], "payment_intent": payment_ref, "amount": 1000}
    assert deliver(shop, "evt_6", "charge.dispute.created", dispute).status_code == 200
    disputes = httpx.get(f"{shop.url}/v1/orders/{order_id}/disputes", headers=AUTH).json()
    assert disputes["disputed"] is True
    assert [d["dispute_id"] for d in disputes["disputes"]] == [dispute["id"]]


def test_the_return_and_webhooks_racing_make_one_order_and_late_failures_undo_nothing(
    shop: Shop, stripe_api: tuple[StripeStandIn, str]
) -> None:
    api = stripe_api[0]
    outcome = start(shop)
    browser_confirms(api, outcome["charge_id"])
    intent = api.objects[outcome["charge_id"]]
    return_url = f"{shop.url}{outcome['data']['return_url']}"

    def arrive(n: int) -> int:
        if n % 2:
            return httpx.get(return_url).status_code
        return deliver(shop, f"evt_r{n}", "payment_intent.succeeded", intent).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert set(pool.map(arrive, range(6))) == {200, 303}
    late = {**intent, "status": "requires_payment_method"}
    assert deliver(shop, "evt_late", "payment_intent.payment_failed", late).status_code == 200
    assert deliver(shop, "evt_again", "payment_intent.succeeded", intent).status_code == 200
    assert count(shop.engine, checkout_orders) == 1
    assert count(shop.engine, checkout_charges) == 1


def test_an_unreachable_stripe_is_a_503_that_charges_nothing(
    settings: Settings, engine: Engine
) -> None:
    closed = settings.model_copy(
        update={
            "payment_gateway": "stripe",
            "stripe_secret_key": STRIPE_SECRET,
            "stripe_publishable_key": "pk_test_standin",
            "stripe_webhook_secret": WEBHOOK_SECRET,
            "stripe_api_base": "http://127.0.0.1:9",
        }
    )
    for shop in open_shop(closed, engine):
        for _ in range(2):  # the key is released, so the retry runs (and fails) again
            response = shop.pay(shop.link(), "k-down")
            assert response.status_code == 503
            assert "Nothing was charged" in response.json()["message"]
        assert count(shop.engine, checkout_orders) == 0


def test_a_dashboard_refund_waits_while_our_own_refund_is_being_made(
    shop: Shop, stripe_api: tuple[StripeStandIn, str]
) -> None:
    api = stripe_api[0]
    order_id, payment_ref = paid_order(shop, api)
    in_flight = OrderRefund(
        "rf_in_flight",
        order_id,
        100,
        "GBP",
        "",
        RefundStatus.PENDING,
        None,
        None,
        datetime.now(UTC),
    )
    with SqlDatabase(shop.engine).transaction() as tx:
        tx.refunds.record_refund(in_flight)
    with api.lock:
        api.create_refund({"payment_intent": payment_ref, "amount": "300"})
    charge = api.objects[api.objects[payment_ref]["latest_charge"]]
    early = deliver(shop, "evt_7", "charge.refunded", charge)
    assert early.status_code == 503  # Stripe delivers it again later
    with SqlDatabase(shop.engine).transaction() as tx:
        tx.refunds.finish_refund("rf_in_flight", status=RefundStatus.FAILED, gateway_ref=None)
    assert deliver(shop, "evt_7", "charge.refunded", charge).json()["duplicate"] is False
    listed = httpx.get(f"{shop.url}/v1/orders/{order_id}/refunds", headers=AUTH).json()
    assert [r["amount"] for r in listed["refunds"] if r["status"] == "succeeded"] == [300]


def test_without_stripe_the_webhook_endpoint_is_not_there(
    settings: Settings, engine: Engine
) -> None:
    for plain in open_shop(settings, engine):
        body = event_body("evt_x", "payment_intent.succeeded", {"id": "pi_1"})
        headers = {"Stripe-Signature": signature_header(body, WEBHOOK_SECRET)}
        response = httpx.post(f"{plain.url}/webhooks/stripe", content=body, headers=headers)
        assert response.status_code == 404
