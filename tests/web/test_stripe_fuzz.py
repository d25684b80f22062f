"""The Stripe pay path under hostile input: the webhook endpoint and the pay form, fuzzed.

The real app runs over HTTP with the Stripe gateway against the local Stripe API stand-in.
Hypothesis sends the webhook bodies that are not JSON, JSON that is not an event, events of any
type about any object, each with a valid signature, a wrong secret, a flipped digest, an
hour-old timestamp (a captured delivery replayed), a header that is not one, or none; and pay
forms with any quantity, bumps, link, email and key, plus price, amount, currency or discount
fields the form does not have. Whatever arrives: never a
5xx; only a valid signature is accepted; a replayed event is handled once; and every
PaymentIntent asks for exactly the total the server itself quotes for that cart.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from tactful.settings import Settings
from tests.e2e.seed import PAGE
from tests.stripe_signing import event_body, signature_header
from tests.stripe_standin import StripeStandIn
from tests.stripe_standin_http import StandInServer
from tests.web.test_checkout_api import JSON, Shop, open_shop

STRIPE_SECRET = "sk_test_standin_0123456789"
WEBHOOK_SECRET = "whsec_standin_0123456789"
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SIGNINGS = ["valid", "wrong_secret", "flipped", "old", "missing", "garbage"]


@pytest.fixture
def stripe_shop(settings: Settings, engine: Engine) -> Iterator[tuple[Shop, StripeStandIn]]:
    api = StripeStandIn(STRIPE_SECRET, lambda: datetime.now(UTC))
    with StandInServer(api) as server:
        stripe_settings = settings.model_copy(
            update={
                "payment_gateway": "stripe",
                "stripe_secret_key": STRIPE_SECRET,
                "stripe_publishable_key": "pk_test_standin",
                "stripe_webhook_secret": WEBHOOK_SECRET,
                "stripe_api_base": server.url,
            }
        )
        for shop in open_shop(stripe_settings, engine):
            yield shop, api


def _signature(body: bytes, how: str) -> str | None:
    now = int(time.time())
    if how == "valid":
        return signature_header(body, WEBHOOK_SECRET, now)
    if how == "wrong_secret":
        return signature_header(body, "whsec_someone_else", now)
    if how == "flipped":
        good = signature_header(body, WEBHOOK_SECRET, now)
        return good[:-1] + ("0" if good[-1] != "0" else "1")
    if how == "old":  # a captured delivery replayed an hour later
        return signature_header(body, WEBHOOK_SECRET, now - 3600)
    if how == "garbage":
        return "t=abc,v1=" + "\u00e9" * 3
    return None


def _post_event(shop: Shop, body: bytes, how: str) -> httpx.Response:
    headers: dict[str, str | bytes] = {"Content-Type": "application/json"}
    if (signature := _signature(body, how)) is not None:
        headers["Stripe-Signature"] = signature.encode()  # bytes: 'garbage' is not ASCII
    return httpx.post(f"{shop.url}/webhooks/stripe", content=body, headers=headers, timeout=30)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
event_types = st.sampled_from(
    [
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "payment_intent.canceled",
        "charge.refunded",
        "charge.dispute.created",
        "customer.created",
    ]
) | st.text(max_size=30)
stripe_objects = st.fixed_dictionaries(
    {"id": st.sampled_from(["pi_unknown", "ch_unknown", ""]) | st.text(max_size=12)},
    optional={
        "object": st.sampled_from(["payment_intent", "charge", "refund"]) | st.text(max_size=8),
        "amount": st.integers(-(2**63), 2**63) | st.text(max_size=5),
        "currency": st.sampled_from(["gbp", "usd", ""]) | st.text(max_size=4),
        "status": st.sampled_from(["succeeded", "requires_action", "canceled"]),
        "metadata": st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3),
        "payment_intent": st.text(max_size=12),
    },
)
events = st.builds(
    lambda event_id, kind, obj: event_body(event_id, kind, obj),
    st.text(min_size=1, max_size=30),
    event_types,
    stripe_objects,
)
bodies = (
    events
    | st.binary(max_size=200)
    | json_values.map(lambda v: json.dumps(v).encode())
    | st.sampled_from([b"", b"{", b"null", b"[]", b'{"id": 1}', b'{"id": "evt_1", "data": 5}'])
)


@FUZZ
@given(body=bodies, how=st.sampled_from(SIGNINGS))
def test_the_webhook_never_fails_and_accepts_only_valid_signatures(
    stripe_shop: tuple[Shop, StripeStandIn], body: bytes, how: str
) -> None:
    answer = _post_event(stripe_shop[0], body, how)
    assert answer.status_code < 500, (how, body[:200], answer.status_code, answer.text[:300])
    if how != "valid":
        assert answer.status_code == 400, (how, answer.status_code, answer.text[:300])
        assert answer.json()["error"] == "invalid_signature"


@FUZZ
@given(body=events)
def test_a_replayed_event_is_handled_once(
    stripe_shop: tuple[Shop, StripeStandIn], body: bytes
) -> None:
    first = _post_event(stripe_shop[0], body, "valid")
    again = _post_event(stripe_shop[0], body, "valid")
    assert first.status_code < 500, first.text
    assert again.status_code < 500, again.text
    if first.status_code == 200:
        assert again.status_code == 200
        assert again.json()["event_id"] == first.json()["event_id"]
        assert again.json()["duplicate"] is True
    late = _post_event(stripe_shop[0], body, "old")  # the same delivery, captured and replayed
    assert late.status_code == 400
    assert late.json()["error"] == "invalid_signature"


hostile_text = st.text(max_size=12) | st.sampled_from(
    ["-1", "0", "1", "3", "4", "²", "1e3", "99999999999999999999", " 2", "2.5", "0x2", ""]
)
pay_extras = st.dictionaries(
    st.sampled_from(["price", "amount", "total", "currency", "discount", "sku", "offer"]),
    hostile_text,
    max_size=3,
)


@FUZZ
@given(
    quantity=hostile_text,
    bumps=st.lists(
        st.sampled_from(["WORKBOOK", "CHEATSHEET", "COACHING", "NOPE", ""]) | st.text(max_size=8),
        max_size=4,
    ),
    extras=pay_extras,
    link_query=st.sampled_from(["signed", "tampered", "empty"]),
    key=st.text(min_size=0, max_size=80),
    email=st.sampled_from(["ann@example.com", "", "not-an-address"]) | st.text(max_size=20),
)
def test_the_stripe_pay_form_never_fails_and_charges_the_quoted_total(
    stripe_shop: tuple[Shop, StripeStandIn],
    quantity: str,
    bumps: list[str],
    extras: dict[str, str],
    link_query: str,
    key: str,
    email: str,
) -> None:
    shop, api = stripe_shop
    query = urlsplit(shop.link()).query
    if link_query == "tampered":
        query = query.replace("sig=", "sig=0")
    elif link_query == "empty":
        query = ""
    form: dict[str, Any] = {
        "idempotency_key": key,
        "link": query,
        "email": email,
        "name": "Ann",
        "quantity": quantity,
        "bump": bumps,
        **extras,
    }
    with api.lock:
        intents_before = [r for r in api.requests if r.path == "/v1/payment_intents"]
    answer = httpx.post(f"{shop.url}/c/{PAGE['slug']}/pay", data=form, headers=JSON, timeout=30)
    assert answer.status_code < 500, (form, answer.status_code, answer.text[:300])
    if answer.status_code != 200:
        return
    with api.lock:
        intents = [r for r in api.requests if r.path == "/v1/payment_intents"]
    quote = httpx.get(
        f"{shop.url}/c/{PAGE['slug']}/quote",
        params=[*[(k, v) for k, v in _pairs(query)], ("quantity", quantity)]
        + [("bump", b) for b in bumps],
        timeout=30,
    ).json()
    charged = answer.json()["data"]["total"]
    assert charged == quote["total"], (form, answer.json(), quote)
    if len(intents) > len(intents_before):  # a new PaymentIntent: its amount is that total
        assert intents[-1].params["amount"] == str(charged)
        assert intents[-1].params["currency"] == PAGE["currency"].lower()


def _pairs(query: str) -> list[tuple[str, str]]:
    return [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "quantity"]


def test_what_the_fuzzing_found_is_a_4xx_naming_the_field(
    stripe_shop: tuple[Shop, StripeStandIn],
) -> None:
    shop = stripe_shop[0]
    no_status = event_body("evt_a", "payment_intent.succeeded", {"id": "pi_1", "amount": 5})
    found = {
        b"null": "body",
        b'{"":"","":0}': "id",
        b'{"id": "evt_\\u0000", "type": "x", "data": {"object": {}}}': "id",
        json.dumps({"id": "evt_b", "type": "t" * 65, "data": {"object": {}}}).encode(): "type",
        b'{"id": "evt_c", "type": "x", "data": 5}': "data.object",
        no_status: "data.object.status",
    }
    for body, field in found.items():
        answer = _post_event(shop, body, "valid")
        assert answer.status_code == 400, (body, answer.text)
        assert answer.json()["error"] == "invalid_event"
        assert answer.json()["field"] == field
    # a key Stripe's header cannot carry (not ASCII) still pays, under a digest of itself
    paid = httpx.post(
        f"{shop.url}/c/{PAGE['slug']}/pay",
        data={
            "idempotency_key": "clé-Ā",
            "link": urlsplit(shop.link()).query,
            "email": "a@b.co",
            "name": "Ann",
        },
        headers=JSON,
        timeout=30,
    )
    assert paid.status_code == 200, paid.text
    intent = [r for r in stripe_shop[1].requests if r.path == "/v1/payment_intents"][-1]
    assert intent.idempotency_key.startswith("sha256:")
