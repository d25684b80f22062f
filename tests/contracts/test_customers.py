"""Customer store contract: SQLite, PostgreSQL and memory alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tactful.domain.counts import UpsertCounts
from tactful.domain.customers import Consent, ConsentPurpose, Customer, CustomerId
from tactful.services.ports.storage import Database

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def test_upsert_creates_updates_and_counts(database: Database) -> None:
    ann = Customer(CustomerId("ann"), "ann@example.com", "Europe/Paris")
    with database.transaction() as tx:
        assert tx.customers.upsert_customers(
            [ann, Customer(CustomerId("bob"))], at=T0
        ) == UpsertCounts(2, 0, 0)
        moved = Customer(CustomerId("ann"), "ann@example.com", "Europe/Berlin")
        assert tx.customers.upsert_customers([moved], at=T0) == UpsertCounts(0, 1, 0)
        assert tx.customers.upsert_customers([moved], at=T0) == UpsertCounts(0, 0, 1)
        assert tx.customers.get_customer("ann") == moved
        assert tx.customers.get_customer("nobody") is None


def test_missing_email_never_erases_a_known_one(database: Database) -> None:
    with database.transaction() as tx:
        tx.customers.upsert_customers([Customer(CustomerId("ann"), "ann@example.com")], at=T0)
        counts = tx.customers.upsert_customers([Customer(CustomerId("ann"))], at=T0)
        customer = tx.customers.get_customer("ann")
    assert counts == UpsertCounts(0, 0, 1)
    assert customer is not None
    assert customer.email == "ann@example.com"


def test_create_only_mode(database: Database) -> None:
    with database.transaction() as tx:
        tx.customers.upsert_customers([Customer(CustomerId("ann"), timezone="Asia/Tokyo")], at=T0)
        counts = tx.customers.upsert_customers(
            [Customer(CustomerId("ann"))], at=T0, update_fields=()
        )
        customer = tx.customers.get_customer("ann")
    assert counts == UpsertCounts(0, 0, 1)
    assert customer is not None
    assert customer.timezone == "Asia/Tokyo"


def test_consents_are_kept_with_their_history(database: Database) -> None:
    given = Consent(ConsentPurpose.MARKETING_EMAIL, True, T0, "signup form")
    withdrawn = Consent(ConsentPurpose.MARKETING_EMAIL, False, T0 + timedelta(days=1), "link")
    with database.transaction() as tx:
        assert tx.customers.record_consent("new-person", given)
        assert not tx.customers.record_consent("new-person", given)
        assert tx.customers.record_consent("new-person", withdrawn)
        customer = tx.customers.get_customer("new-person")
    assert customer is not None
    assert customer.consents == (given, withdrawn)
    assert not customer.allows(ConsentPurpose.MARKETING_EMAIL)
    assert customer.allows(ConsentPurpose.ONSITE_OFFERS)


def test_consents_given_with_the_customer_are_recorded(database: Database) -> None:
    opt_in = Consent(ConsentPurpose.ONSITE_OFFERS, False, T0, "preferences page")
    with database.transaction() as tx:
        tx.customers.upsert_customers([Customer(CustomerId("c"), consents=(opt_in,))], at=T0)
        customer = tx.customers.get_customer("c")
    assert customer is not None
    assert customer.consents == (opt_in,)
