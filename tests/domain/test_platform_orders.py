"""Reading platform payloads: signatures, and bodies that are not orders."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tactful.domain.platform_orders import (
    MalformedPayloadError,
    shopify_order,
    signature_matches,
    woocommerce_order,
)


@given(st.binary(max_size=200), st.text(min_size=1, max_size=20))
def test_only_the_secrets_own_signature_matches(body: bytes, secret: str) -> None:
    signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    assert signature_matches(secret, body, signature.decode())
    assert not signature_matches(secret + "x", body, signature.decode())
    assert not signature_matches(secret, body + b"x", signature.decode())
    assert not signature_matches("", body, "")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "id"),
        ({"id": 1, "currency": "USD", "line_items": []}, "line_items"),
        ({"id": 1, "currency": "USD", "line_items": [{"sku": "A"}]}, "quantity"),
        (
            {
                "id": 1,
                "currency": "USD",
                "created_at": "yesterday",
                "line_items": [{"sku": "A", "quantity": 1, "price": "1.00"}],
            },
            "created_at",
        ),
        (
            {"id": 1, "currency": "USD", "line_items": [{"sku": "A", "quantity": 1, "price": "x"}]},
            "price",
        ),
    ],
)
def test_a_malformed_order_names_the_field(payload: dict[str, object], field: str) -> None:
    with pytest.raises(MalformedPayloadError, match=field):
        shopify_order(payload)


def test_woocommerce_needs_a_status() -> None:
    with pytest.raises(MalformedPayloadError, match="status"):
        woocommerce_order(
            {"id": 1, "currency": "USD", "line_items": [{"sku": "A", "quantity": 1, "price": 2}]}
        )
