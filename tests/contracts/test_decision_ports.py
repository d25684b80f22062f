"""The decision path's ports on every database: reads equal the stores, logs are readable."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from tactful.adapters.db.decision_log import SqlDecisionLog
from tactful.adapters.db.offer_budget import SqlOfferBudget
from tactful.adapters.db.transaction import SqlDatabase
from tactful.adapters.memory.offer_budget import MemoryOfferBudget
from tactful.domain.catalog import Product, Sku
from tactful.domain.customers import Consent, ConsentPurpose, Customer, CustomerId
from tactful.domain.events import Event, EventId, EventType
from tactful.domain.money import Money
from tactful.domain.offers import OfferResponse
from tactful.domain.offers.records import DecisionRecord, Impression
from tactful.domain.orders import LineSource, Order, OrderId, OrderLine
from tactful.services.decision_log import DirectDecisionLog
from tactful.services.ports.decisions import DecisionLog
from tactful.services.ports.offer_budget import BudgetSpend
from tactful.services.ports.storage import Database
from tests.services.wiring import decision_service

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
SINCE = NOW - timedelta(days=30)


def shown(decision_id: str, offer_id: str, sku: str, at: datetime) -> Impression:
    return Impression(
        decision_id, offer_id, 0, "ann", "cross_sell", sku, "TENT", "inline", Money(900, "GBP"), at
    )


def record(decision_id: str, *impressions: Impression, at: datetime = NOW) -> DecisionRecord:
    return DecisionRecord(
        decision_id, "ann", "cart", at, False, [{"sku": "TENT", "quantity": 1}], impressions
    )


def seed(database: Database) -> None:
    """A customer with a consent, three orders, offer events and shown offers, old and new."""
    line = OrderLine(Sku("MUG"), 1, Money(700, "GBP"))
    bump = OrderLine(Sku("PEGS"), 1, Money(900, "GBP"), source=LineSource.BUMP)
    consent = Consent(ConsentPurpose.MARKETING_EMAIL, True, NOW - timedelta(days=3), "form")
    with database.transaction() as tx:
        tx.catalog.upsert_products([Product(Sku("TENT"), "Tent", Money(20000, "GBP"))], at=NOW)
        tx.customers.upsert_customers([Customer(CustomerId("ann"), consents=(consent,))], at=NOW)
        tx.orders.insert_orders(
            [
                Order(OrderId(f"o{d}"), NOW - timedelta(days=d), (line, bump), CustomerId("ann"))
                for d in (90, 10, 2)
            ]
            + [Order(OrderId("later"), NOW + timedelta(days=1), (line,), CustomerId("ann"))],
            source="api",
        )
        tx.offers.save_decision(record("d_old", shown("d_old", "x", "LAMP", SINCE - timedelta(1))))
        tx.offers.save_decision(record("d_new", shown("d_new", "y", "LAMP", NOW - timedelta(1))))
        impression = tx.offers.get_impression("d_new", "y")
        assert impression is not None
        tx.offers.save_response(impression, OfferResponse.DECLINED, at=NOW - timedelta(hours=1))
        tx.events.insert_events(
            [Event(EventId("view"), EventType.PRODUCT_VIEWED, CustomerId("ann"), NOW, Sku("MUG"))]
        )


def test_decision_reads_give_what_the_stores_hold(database: Database) -> None:
    seed(database)
    reads = decision_service(database).reads
    try:
        found = reads.read_inputs("ann", since=SINCE, until=NOW, recent=NOW - timedelta(days=5))
        unknown = reads.read_inputs("nobody", since=SINCE, until=NOW, recent=NOW)
    finally:
        reads.close()
    with database.transaction() as tx:
        assert found.customer == tx.customers.get_customer("ann")
    bought = sorted((p.sku, p.at, p.source) for p in found.purchases)
    first, last = NOW - timedelta(days=90), NOW - timedelta(days=2)
    assert bought == [
        (Sku("MUG"), first, LineSource.MAIN),
        (Sku("MUG"), last, LineSource.MAIN),
        (Sku("PEGS"), first, LineSource.BUMP),
        (Sku("PEGS"), last, LineSource.BUMP),
    ], "each SKU's first buy and its last since `recent`; none after `until`"
    assert [(e.response, e.sku) for e in found.offer_events] == [
        (OfferResponse.SHOWN, "LAMP"),
        (OfferResponse.DECLINED, "LAMP"),
    ]
    assert (unknown.customer, unknown.purchases, unknown.offer_events) == (None, (), ())


def test_past_orders_are_every_order_up_to_now_with_its_skus(database: Database) -> None:
    seed(database)
    reads = decision_service(database).reads
    try:
        found = reads.past_orders("ann", until=NOW)
        unknown = reads.past_orders("nobody", until=NOW)
    finally:
        reads.close()
    assert [(o.at, o.skus) for o in found] == [
        (NOW - timedelta(days=d), (Sku("MUG"), Sku("PEGS"))) for d in (90, 10, 2)
    ], "oldest first, lines in order, none after `until`"
    assert unknown == ()


def logs(database: Database) -> list[DecisionLog]:
    """The logs each database serves: the direct one, and on SQL the group commit too."""
    found: list[DecisionLog] = [DirectDecisionLog(database)]
    if isinstance(database, SqlDatabase):
        found.append(SqlDecisionLog(database.engine))
    return found


def test_a_logged_record_is_then_readable_through_the_offer_log(database: Database) -> None:
    for number, log in enumerate(logs(database)):
        decision_id = f"d_log_{number}"

        async def write(log: DecisionLog = log, decision_id: str = decision_id) -> None:
            await log.write(record(decision_id, shown(decision_id, "z", "MUG", NOW)))

        asyncio.run(write())
        log.write_sync(record(f"{decision_id}_sync"))
        log.close()
        with database.transaction() as tx:
            assert tx.offers.decision_exists(decision_id)
            assert tx.offers.decision_exists(f"{decision_id}_sync")
            stored = tx.offers.get_impression(decision_id, "z")
        assert stored is not None
        assert (stored.sku, stored.price) == ("MUG", Money(900, "GBP"))


def spending_logs(database: Database) -> list[DecisionLog]:
    """The logs that spend the offer budget: direct, and on SQL both group-commit writers."""
    if isinstance(database, SqlDatabase):
        engine = database.engine
        direct = DirectDecisionLog(database, SqlOfferBudget(engine))
        return [direct, SqlDecisionLog(engine), SqlDecisionLog(engine, on_loop=False)]
    return [DirectDecisionLog(database, MemoryOfferBudget())]


async def show_two(log: DecisionLog, customer: str, number: int) -> set[str]:
    """Log a decision showing two new offers; the keys of those the budget let it show."""
    decision_id = f"d_{customer}_{number}"
    keys = (f"k{number}a", f"k{number}b")
    impressions = [
        replace(shown(decision_id, key, key, NOW), customer_id=customer, position=position)
        for position, key in enumerate(keys)
    ]
    made = replace(record(decision_id, *impressions), customer_id=customer)

    def without(refused: frozenset[str]) -> DecisionRecord:
        kept = tuple(i for i in made.impressions if i.offer_id not in refused)
        return replace(made, impressions=kept)

    spend = BudgetSpend(customer, keys, NOW, timedelta(days=7), 6)
    refused = await log.write_spending(made, spend, without)
    return set(keys) - refused


def test_concurrent_decisions_logged_never_overspend_the_budget(database: Database) -> None:
    """Twenty decisions for one customer at once, each showing two new offers: six shown."""
    for number, log in enumerate(spending_logs(database)):
        customer = f"shopper_{number}"

        async def decide_all(log: DecisionLog = log, customer: str = customer) -> list[set[str]]:
            return list(await asyncio.gather(*(show_two(log, customer, n) for n in range(20))))

        granted = asyncio.run(decide_all())
        log.close()
        assert sum(len(keys) for keys in granted) == 6
        with database.transaction() as tx:
            for n, keys in enumerate(granted):
                for key in (f"k{n}a", f"k{n}b"):
                    stored = tx.offers.get_impression(f"d_{customer}_{n}", key)
                    assert (stored is not None) == (key in keys), "stored exactly what is shown"
