"""The Stripe adapter against the local stand-in: what it sends, and how it reads answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tactful.adapters.payments.stripe_gateway import StripeGateway
from tactful.domain.checkout.page_payments import WebhookSignatureError
from tactful.domain.checkout.payments import CardDetails, ChargeStatus, PaymentError
from tests.stripe_signing import event_body, signature_header
from tests.stripe_standin import Request, StripeStandIn
from tests.stripe_standin_http import StandInServer

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SECRET = "sk_test_standin"
WEBHOOK_SECRET = "whsec_test_secret"


@pytest.fixture
def stand_in() -> Iterator[tuple[StripeStandIn, StripeGateway]]:
    api = StripeStandIn(SECRET, lambda: NOW)
    with StandInServer(api) as server:
        gateway = StripeGateway(
            SECRET, "pk_test_standin", WEBHOOK_SECRET, api_base=server.url, max_network_retries=0
        )
        yield api, gateway


def saved_card(gateway: StripeGateway, number: str) -> str:
    card = CardDetails(number, 12, 2030, "123", "Ann")
    return gateway.create_payment_method(card, customer_ref="ann@example.com").payment_method_id


def intent_requests(api: StripeStandIn) -> list[Request]:
    return [r for r in api.requests if r.path == "/v1/payment_intents" and r.method == "POST"]


def test_an_upsell_is_an_off_session_intent_with_our_idempotency_key(
    stand_in: tuple[StripeStandIn, StripeGateway],
) -> None:
    api, gateway = stand_in
    method = saved_card(gateway, "4242424242424242")
    charge = gateway.charge(1900, "GBP", method, "offer:o1-u1", off_session=True)
    assert charge.status is ChargeStatus.SUCCEEDED
    assert charge.charge_id.startswith("pi_")
    (sent,) = intent_requests(api)
    assert sent.idempotency_key == "offer:o1-u1"
    assert sent.params["amount"] == "1900"
    assert sent.params["currency"] == "gbp"
    assert (sent.params["off_session"], sent.params["confirm"]) == ("true", "true")
    assert sent.params["payment_method"] == method
    assert sent.params["customer"] == api.objects[method]["customer"]
    assert "setup_future_usage" not in sent.params


def test_authentication_required_is_a_step_for_the_customer_not_a_new_charge(
    stand_in: tuple[StripeStandIn, StripeGateway],
) -> None:
    api, gateway = stand_in
    method = saved_card(gateway, "4000002500003155")
    first = gateway.charge(1900, "GBP", method, "offer:o1-u1", off_session=True)
    assert (first.status, first.failure_code) == (
        ChargeStatus.REQUIRES_ACTION,
        "authentication_required",
    )
    assert first.client_secret is not None
    assert first.client_secret.startswith(first.charge_id)
    again = gateway.charge(1900, "GBP", method, "offer:o1-u1", off_session=True)
    assert again == first
    intents = [o for o in api.objects.values() if o["object"] == "payment_intent"]
    assert len(intents) == 1


def test_a_decline_is_a_declined_charge_with_stripes_code(
    stand_in: tuple[StripeStandIn, StripeGateway],
) -> None:
    _api, gateway = stand_in
    method = saved_card(gateway, "4000000000000002")
    charge = gateway.charge(1900, "GBP", method, "k1", off_session=True)
    assert (charge.status, charge.failure_code, charge.client_secret) == (
        ChargeStatus.DECLINED,
        "card_declined",
        None,
    )
    assert charge.failure_message == "Your card was declined."


@pytest.mark.parametrize("save_card", [True, False])
def test_a_page_payment_saves_the_card_only_when_asked(
    stand_in: tuple[StripeStandIn, StripeGateway], save_card: bool
) -> None:
    api, gateway = stand_in
    payment = gateway.start_payment(
        4800,
        "GBP",
        email="ann@example.com",
        save_card=save_card,
        idempotency_key="checkout:k1",
        metadata={"tactful_order": "co_1"},
    )
    assert (payment.status, payment.amount.amount, payment.amount.currency) == (
        "requires_payment_method",
        4800,
        "GBP",
    )
    (sent,) = intent_requests(api)
    assert sent.idempotency_key == "checkout:k1"
    assert sent.params["automatic_payment_methods"] == {"enabled": "true"}
    assert sent.params.get("setup_future_usage") == ("off_session" if save_card else None)
    assert sent.params["metadata"] == {"tactful_order": "co_1"}
    assert gateway.get_payment(payment.payment_ref) == payment
    assert gateway.get_payment("pi_missing") is None


def test_a_refund_names_the_payment_intent(stand_in: tuple[StripeStandIn, StripeGateway]) -> None:
    api, gateway = stand_in
    charge = gateway.charge(1000, "GBP", saved_card(gateway, "4242424242424242"), "k1")
    refund = gateway.refund(charge.charge_id, 400, "refund:r1")
    sent = api.requests[-1]
    assert (sent.path, sent.params, sent.idempotency_key) == (
        "/v1/refunds",
        {"payment_intent": charge.charge_id, "amount": "400"},
        "refund:r1",
    )
    assert (refund.amount.amount, refund.charge_id) == (400, charge.charge_id)
    with pytest.raises(PaymentError) as caught:
        gateway.refund(charge.charge_id, 700, "refund:r2")
    assert caught.value.code == "refund_too_large"


def test_webhooks_verify_with_the_endpoint_secret(
    stand_in: tuple[StripeStandIn, StripeGateway],
) -> None:
    _api, gateway = stand_in
    body = event_body(
        "evt_1", "payment_intent.succeeded", {"id": "pi_1", "object": "payment_intent"}
    )
    event = gateway.verify_webhook(body, signature_header(body, WEBHOOK_SECRET))
    assert (event.event_id, event.type, event.data["id"]) == (
        "evt_1",
        "payment_intent.succeeded",
        "pi_1",
    )
    for header in (
        signature_header(body, "whsec_other"),
        signature_header(body, WEBHOOK_SECRET, at=1_000_000),
        "",
    ):
        with pytest.raises(WebhookSignatureError):
            gateway.verify_webhook(body, header)
    with pytest.raises(WebhookSignatureError):
        gateway.verify_webhook(body + b" ", signature_header(body, WEBHOOK_SECRET))


def test_an_unreachable_stripe_is_one_error_the_pages_can_explain() -> None:
    gateway = StripeGateway(
        SECRET, "pk_test_x", WEBHOOK_SECRET, api_base="http://127.0.0.1:9", max_network_retries=0
    )
    with pytest.raises(PaymentError) as caught:
        gateway.start_payment(
            100, "GBP", email="a@b.c", save_card=False, idempotency_key="k", metadata={}
        )
    assert caught.value.code == "gateway_unavailable"
    with pytest.raises(PaymentError):
        gateway.get_payment("pi_1")
