"""TACTFUL_PAYMENT_GATEWAY=stripe picks the Stripe adapter, and only with all its keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from tactful.adapters.payments.stripe_gateway import StripeGateway
from tactful.container import build_container
from tactful.settings import Settings

STRIPE_ENV = {
    "TACTFUL_PAYMENT_GATEWAY": "stripe",
    "TACTFUL_STRIPE_SECRET_KEY": "sk_test_abc",
    "TACTFUL_STRIPE_PUBLISHABLE_KEY": "pk_test_abc",
    "TACTFUL_STRIPE_WEBHOOK_SECRET": "whsec_abc",
}


def test_the_stripe_gateway_is_chosen_by_setting(tmp_path: Path) -> None:
    settings = Settings.from_env({**STRIPE_ENV, "TACTFUL_DATA_DIR": str(tmp_path)})
    container = build_container(settings)
    try:
        assert isinstance(container.payment_gateway, StripeGateway)
        assert container.payment_gateway.publishable_key == "pk_test_abc"
        assert container.checkout.gateway is container.payment_gateway
    finally:
        container.close()


@pytest.mark.parametrize("missing", sorted(set(STRIPE_ENV) - {"TACTFUL_PAYMENT_GATEWAY"}))
def test_a_stripe_gateway_without_a_key_is_refused_naming_it(missing: str) -> None:
    env = {k: v for k, v in STRIPE_ENV.items() if k != missing}
    with pytest.raises(ValueError, match=missing):
        Settings.from_env(env)
