"""What the email store contract tests share: the store of each backend and a small shop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tactful.adapters.db.email_store import SqlEmailStore
from tactful.adapters.db.transaction import SqlDatabase
from tactful.adapters.memory import MemoryDatabase
from tactful.adapters.memory.email_store import MemoryEmailStore
from tactful.domain.catalog import BillingPeriod, Product, ProductKind, Sku
from tactful.domain.customers import Consent, ConsentPurpose, Customer, CustomerId
from tactful.domain.events import Event, EventId, EventType
from tactful.domain.money import Money
from tactful.domain.orders import Order, OrderId, OrderLine
from tactful.services.ports.email import EmailStore, Enrolment, NewMail
from tactful.services.ports.storage import Database

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


def email_store(database: Database) -> EmailStore:
    """The email store over the same data as `database`."""
    if isinstance(database, SqlDatabase):
        return SqlEmailStore(database.engine)
    assert isinstance(database, MemoryDatabase)
    return MemoryEmailStore(database)


def seed_customers(database: Database, *ids: str, tz: str = "UTC", consent: bool = True) -> None:
    given = Consent(ConsentPurpose.MARKETING_EMAIL, consent, T0 - timedelta(days=30), "signup")
    with database.transaction() as tx:
        tx.customers.upsert_customers(
            [Customer(CustomerId(c), f"{c.upper()}@Example.com", tz, (given,)) for c in ids],
            at=T0,
        )


def seed_products(database: Database) -> None:
    with database.transaction() as tx:
        tx.catalog.upsert_products(
            [
                Product(Sku("COURSE"), "Course", Money(4900, "GBP"), ProductKind.DIGITAL, "learn"),
                Product(Sku("BOOK"), "Book", Money(1900, "GBP"), ProductKind.PHYSICAL, "learn"),
                Product(Sku("MUG"), "Mug", Money(900, "GBP"), ProductKind.PHYSICAL, "home"),
                Product(
                    Sku("PLAN"),
                    "Plan",
                    Money(1000, "GBP"),
                    ProductKind.SUBSCRIPTION,
                    billing_period=BillingPeriod.MONTH,
                ),
            ],
            at=T0 - timedelta(days=400),
        )


def order(database: Database, order_id: str, customer_id: str, at: datetime, *skus: str) -> None:
    lines = tuple(OrderLine(Sku(s), 1, Money(1000, "GBP")) for s in skus)
    with database.transaction() as tx:
        tx.orders.insert_orders(
            [Order(OrderId(order_id), at, lines, CustomerId(customer_id))], source="test"
        )


def event(
    database: Database,
    event_id: str,
    kind: EventType,
    customer_id: str,
    at: datetime,
    sku: str = "",
) -> None:
    with database.transaction() as tx:
        tx.events.insert_events(
            [Event(EventId(event_id), kind, CustomerId(customer_id), at, Sku(sku) if sku else None)]
        )


def enrol(store: EmailStore, customer_id: str, *dues: datetime, seq: str = "s") -> str:
    """An active enrolment of `customer_id` with one mail per due time (steps 0, 1, ...)."""
    key = f"{seq}|{customer_id}|t"
    enrolment = Enrolment(key, seq, 1, customer_id, "t", T0, T0, False)
    store.enrol([enrolment], [NewMail(key, i, customer_id, due) for i, due in enumerate(dues)])
    return key
