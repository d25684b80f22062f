"""What every PaymentGateway promises: the test cards, one charge per key, bounded refunds."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.schema import upgrade
from tactful.adapters.payments import MemoryGateway, TestModeGateway
from tactful.adapters.payments.stripe_gateway import StripeGateway
from tactful.domain.checkout import (
    CardDetails,
    CardError,
    ChargeStatus,
    IdempotencyConflictError,
    PaymentError,
    PaymentGateway,
)
from tactful.domain.clock import FixedClock
from tests.conftest import truncate_all
from tests.stripe_standin import StripeStandIn
from tests.stripe_standin_http import StandInServer

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SUCCEEDS = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"
AUTHENTICATION = "4000 0025 0000 3155"


@pytest.fixture(
    params=[
        "test-sqlite",
        pytest.param("test-postgresql", marks=pytest.mark.postgres),
        "memory",
        "stripe",
    ]
)
def gateway(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PaymentGateway]:
    """Each gateway: test mode on SQLite and on PostgreSQL, in memory, Stripe (stand-in)."""
    clock = FixedClock(NOW)
    if request.param == "memory":
        yield MemoryGateway(clock)
        return
    if request.param == "stripe":
        with StandInServer(StripeStandIn("sk_test_standin", clock.now)) as api:
            yield StripeGateway("sk_test_standin", "pk_test_standin", "whsec_x", api_base=api.url)
        return
    if request.param == "test-sqlite":
        engine = build_engine(f"sqlite:///{(tmp_path / 'gateway.db').as_posix()}")
        upgrade(engine)
    else:
        engine = build_engine(request.getfixturevalue("postgres_url"))
        truncate_all(engine)
    yield TestModeGateway(engine, clock)
    engine.dispose()


def card(number: str, *, exp_year: int = 2030, cvc: str = "123") -> CardDetails:
    return CardDetails(number, 12, exp_year, cvc, "Ann")


def vault(gateway: PaymentGateway, number: str = SUCCEEDS) -> str:
    return gateway.create_payment_method(card(number), customer_ref="a@b.c").payment_method_id


def test_a_vaulted_card_shows_its_brand_and_last_digits(gateway: PaymentGateway) -> None:
    method = gateway.create_payment_method(card(SUCCEEDS), customer_ref="a@b.c")
    assert (method.brand, method.last4, method.label) == ("Visa", "4242", "Visa •4242")
    assert gateway.get_payment_method(method.payment_method_id) == method
    assert gateway.get_payment_method("pm_missing") is None


@pytest.mark.parametrize(
    ("details", "code"),
    [
        (card("4242 4242 4242 4241"), "invalid_number"),
        (card(SUCCEEDS, exp_year=2020), "expired_card"),
        (card(SUCCEEDS, cvc="12"), "invalid_cvc"),
        (card("5555 5555 5555 4444"), "unknown_test_card"),
    ],
)
def test_unusable_cards_are_refused(
    gateway: PaymentGateway, details: CardDetails, code: str
) -> None:
    if code == "unknown_test_card" and gateway.name != "test":
        pytest.skip("only the built-in test mode refuses cards outside its documented list")
    with pytest.raises(CardError) as caught:
        gateway.create_payment_method(details, customer_ref="a@b.c")
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("number", "status", "failure_code"),
    [
        (SUCCEEDS, ChargeStatus.SUCCEEDED, None),
        (DECLINED, ChargeStatus.DECLINED, "card_declined"),
        (AUTHENTICATION, ChargeStatus.REQUIRES_ACTION, "authentication_required"),
    ],
)
def test_each_test_card_charges_as_documented(
    gateway: PaymentGateway, number: str, status: ChargeStatus, failure_code: str | None
) -> None:
    method = vault(gateway, number)
    charge = gateway.charge(1900, "gbp", method, "key-1", off_session=True)
    assert (charge.status, charge.failure_code) == (status, failure_code)
    assert charge.succeeded is (status is ChargeStatus.SUCCEEDED)
    assert (charge.amount.amount, charge.amount.currency) == (1900, "GBP")
    assert (charge.payment_method_id, charge.idempotency_key) == (method, "key-1")
    assert charge.created_at == NOW


def test_the_same_key_returns_the_same_charge(gateway: PaymentGateway) -> None:
    method = vault(gateway)
    first = gateway.charge(1900, "GBP", method, "key-1")
    assert gateway.charge(1900, "GBP", method, "key-1") == first
    assert gateway.charge(1900, "GBP", method, "key-2").charge_id != first.charge_id


@pytest.mark.parametrize(("amount", "currency"), [(2000, "GBP"), (1900, "EUR")])
def test_the_same_key_for_another_charge_is_a_conflict(
    gateway: PaymentGateway, amount: int, currency: str
) -> None:
    method = vault(gateway)
    gateway.charge(1900, "GBP", method, "key-1")
    with pytest.raises(IdempotencyConflictError):
        gateway.charge(amount, currency, method, "key-1")


def test_concurrent_charges_with_one_key_make_one_charge(gateway: PaymentGateway) -> None:
    method = vault(gateway)
    with ThreadPoolExecutor(max_workers=4) as pool:
        charges = list(pool.map(lambda _: gateway.charge(500, "GBP", method, "key-c"), range(8)))
    assert len({c.charge_id for c in charges}) == 1


def test_bad_charges_are_refused(gateway: PaymentGateway) -> None:
    with pytest.raises(PaymentError) as caught:
        gateway.charge(0, "GBP", vault(gateway), "key-0")
    assert caught.value.code == "invalid_amount"
    with pytest.raises(PaymentError) as caught:
        gateway.charge(100, "GBP", "pm_missing", "key-1")
    assert caught.value.code == "no_such_payment_method"


def test_refunds_never_exceed_the_charge(gateway: PaymentGateway) -> None:
    charge = gateway.charge(1000, "GBP", vault(gateway), "key-1")
    part = gateway.refund(charge.charge_id, 600, "refund-1")
    assert (part.charge_id, part.amount.amount, part.amount.currency) == (
        charge.charge_id,
        600,
        "GBP",
    )
    assert gateway.refund(charge.charge_id, 600, "refund-1") == part  # same key, same refund
    with pytest.raises(PaymentError) as caught:
        gateway.refund(charge.charge_id, 500, "refund-2")
    assert caught.value.code == "refund_too_large"
    rest = gateway.refund(charge.charge_id, None, "refund-3")
    assert rest.amount.amount == 400
    with pytest.raises(PaymentError):
        gateway.refund(charge.charge_id, None, "refund-4")


def test_only_a_succeeded_charge_is_refunded(gateway: PaymentGateway) -> None:
    declined = gateway.charge(1000, "GBP", vault(gateway, DECLINED), "key-1")
    for charge_id in (declined.charge_id, "ch_missing"):
        with pytest.raises(PaymentError) as caught:
            gateway.refund(charge_id, None, f"refund-{charge_id}")
        assert caught.value.code == "not_refundable"
