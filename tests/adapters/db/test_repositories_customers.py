"""Customer repository contract on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from tactful.adapters.db.repositories import (
    UpsertCounts,
    get_customer,
    record_consent,
    upsert_customers,
)
from tactful.domain.customers import Consent, ConsentPurpose, Customer, CustomerId

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def test_upsert_creates_updates_and_counts(engine: Engine) -> None:
    ann = Customer(CustomerId("ann"), "ann@example.com", "Europe/Paris")
    with engine.begin() as conn:
        assert upsert_customers(conn, [ann, Customer(CustomerId("bob"))], at=T0) == UpsertCounts(
            2, 0, 0
        )
        moved = Customer(CustomerId("ann"), "ann@example.com", "Europe/Berlin")
        assert upsert_customers(conn, [moved], at=T0) == UpsertCounts(0, 1, 0)
        assert upsert_customers(conn, [moved], at=T0) == UpsertCounts(0, 0, 1)
        assert get_customer(conn, "ann") == moved
        assert get_customer(conn, "nobody") is None


def test_missing_email_never_erases_a_known_one(engine: Engine) -> None:
    with engine.begin() as conn:
        upsert_customers(conn, [Customer(CustomerId("ann"), "ann@example.com")], at=T0)
        counts = upsert_customers(conn, [Customer(CustomerId("ann"))], at=T0)
        customer = get_customer(conn, "ann")
    assert counts == UpsertCounts(0, 0, 1)
    assert customer is not None
    assert customer.email == "ann@example.com"


def test_create_only_mode(engine: Engine) -> None:
    with engine.begin() as conn:
        upsert_customers(conn, [Customer(CustomerId("ann"), timezone="Asia/Tokyo")], at=T0)
        counts = upsert_customers(conn, [Customer(CustomerId("ann"))], at=T0, update_fields=())
        customer = get_customer(conn, "ann")
    assert counts == UpsertCounts(0, 0, 1)
    assert customer is not None
    assert customer.timezone == "Asia/Tokyo"


def test_consents_are_kept_with_their_history(engine: Engine) -> None:
    given = Consent(ConsentPurpose.MARKETING_EMAIL, True, T0, "signup form")
    withdrawn = Consent(ConsentPurpose.MARKETING_EMAIL, False, T0 + timedelta(days=1), "link")
    with engine.begin() as conn:
        assert record_consent(conn, "new-person", given)
        assert not record_consent(conn, "new-person", given)
        assert record_consent(conn, "new-person", withdrawn)
        customer = get_customer(conn, "new-person")
    assert customer is not None
    assert customer.consents == (given, withdrawn)
    assert not customer.allows(ConsentPurpose.MARKETING_EMAIL)
    assert customer.allows(ConsentPurpose.ONSITE_OFFERS)


def test_consents_given_with_the_customer_are_recorded(engine: Engine) -> None:
    opt_in = Consent(ConsentPurpose.ONSITE_OFFERS, False, T0, "preferences page")
    with engine.begin() as conn:
        upsert_customers(conn, [Customer(CustomerId("c"), consents=(opt_in,))], at=T0)
        customer = get_customer(conn, "c")
    assert customer is not None
    assert customer.consents == (opt_in,)
