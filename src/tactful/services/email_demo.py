"""The demo's email part: a built-in sequence and three consenting customers who just bought,
so the demo's worker thread writes real mails to `DATA_DIR/outbox` within seconds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from tactful.domain.catalog import Sku
from tactful.domain.customers import Consent, ConsentPurpose, Customer, CustomerId
from tactful.domain.money import Money
from tactful.domain.orders import Order, OrderId, OrderLine
from tactful.services.ingest import Ingest
from tactful.services.ports.storage import Database
from tactful.services.sequences import Sequences

DEMO_SEQUENCE = """\
sequences:
  - id: demo-thank-you
    trigger: {type: order_placed}
    holdout: 0.0
    quiet_hours: "00:00-00:00"   # the demo sends at any hour; a real shop keeps 21:00-08:00
    steps:
      - value: {template: tips, subject: "Thank you: a few tips for your order"}
      - wait: 1d
      - offer: {max_offers: 2, subject: "Picked for you, based on your order"}
      - wait: 7d
      - check_in: {question: "How are you getting on with your order?"}
    exit: [purchase_of_offer, unsubscribe]
"""
DEMO_PEOPLE = ("demo-ada", "demo-ben", "demo-cy")


def prepare_email_demo(
    sequences: Sequences,
    ingest: Ingest,
    database: Database,
    now: datetime,
    say: Callable[[str], None] = print,
) -> None:
    """Load the demo sequence and, once, three customers with consent and a fresh order."""
    sequences.load_text(DEMO_SEQUENCE, "the built-in demo sequence", now)
    with database.transaction() as tx:
        sku = tx.orders.best_selling_sku()
    if sku is None:
        return
    given = Consent(ConsentPurpose.MARKETING_EMAIL, True, now - timedelta(hours=1), "demo")
    people = [Customer(CustomerId(p), f"{p}@example.com", "UTC", (given,)) for p in DEMO_PEOPLE]
    ingest.customers(people)
    counts = ingest.orders(
        [
            Order(
                OrderId(f"{p}-order"),
                now - timedelta(minutes=5),
                (OrderLine(Sku(sku), 1, Money(500, "GBP")),),
                CustomerId(p),
            )
            for p in DEMO_PEOPLE
        ]
    )
    if counts.orders_new:
        say(
            f"Email demo: sequence demo-thank-you and {len(people)} customers who just bought; "
            "the worker thread writes their mails to the data dir's outbox/ (.eml files)."
        )
