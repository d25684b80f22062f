"""Shared set-up of the email tests: a container with a memory mailer and a shop's data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tactful.adapters.email import MemoryMailer
from tactful.container import Container, build_container
from tactful.domain.catalog import Product, ProductKind, Sku
from tactful.domain.customers import Consent, ConsentPurpose, Customer, CustomerId
from tactful.domain.money import Money
from tactful.domain.orders import Order, OrderId, OrderLine
from tactful.settings import Settings

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday, 10:00 UTC

SEQUENCE_YAML = """\
sequences:
  - id: course-followup
    trigger: {type: order_placed, kind: digital}
    holdout: 0.0
    steps:
      - wait: 1d
      - value: {template: tips}
      - wait: 3d
      - offer: {max_offers: 1}
      - wait: 7d
      - check_in: {question: "How is it going?"}
    exit: [purchase_of_offer, unsubscribe]
"""


def email_container(settings: Settings) -> tuple[Container, MemoryMailer]:
    """A container whose mails land in a list."""
    sender = MemoryMailer()
    return build_container(settings, mail_sender=sender), sender


def customer(customer_id: str, *, consent: bool = True, tz: str = "UTC") -> Customer:
    """A customer with an address and (by default) marketing consent given at T0 - 30 days."""
    given = Consent(ConsentPurpose.MARKETING_EMAIL, consent, T0 - timedelta(days=30), "signup")
    return Customer(CustomerId(customer_id), f"{customer_id}@example.com", tz, (given,))


def seed_shop(container: Container, customers: list[Customer], at: datetime = T0) -> None:
    """Two digital products and one order of the course by each customer at `at`."""
    container.ingest.products(
        [
            Product(Sku("COURSE"), "Course", Money(4900, "GBP"), ProductKind.DIGITAL),
            Product(Sku("WORKBOOK"), "Workbook", Money(1900, "GBP"), ProductKind.DIGITAL),
        ]
    )
    container.ingest.customers(customers)
    container.ingest.orders(
        [
            Order(
                OrderId(f"o-{c.customer_id}"),
                at,
                (OrderLine(Sku("COURSE"), 1, Money(4900, "GBP")),),
                c.customer_id,
            )
            for c in customers
        ]
    )


def buy(container: Container, customer_id: str, sku: str, at: datetime) -> None:
    """An order of `sku` by the customer at `at`."""
    container.ingest.orders(
        [
            Order(
                OrderId(f"o-{customer_id}-{sku}-{at.timestamp()}"),
                at,
                (OrderLine(Sku(sku), 1, Money(1900, "GBP")),),
                CustomerId(customer_id),
            )
        ]
    )
