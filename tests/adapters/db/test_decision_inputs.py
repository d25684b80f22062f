"""A decision's reads against real SQLite and PostgreSQL: the same values on both."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine

from tactful.adapters.db.repositories import customers as customers_repo
from tactful.adapters.db.repositories import decision_inputs as repo
from tactful.adapters.db.repositories import events as events_repo
from tactful.adapters.db.repositories import offers as offers_repo
from tactful.adapters.db.repositories import orders as orders_repo
from tactful.domain.catalog import Sku
from tactful.domain.customers import Consent, ConsentPurpose, CustomerId
from tactful.domain.events import Event, EventId, EventType
from tactful.domain.money import Money
from tactful.domain.offers import OfferEvent, OfferKind, OfferResponse, Purchase
from tactful.domain.orders import LineSource, Order, OrderId
from tests.adapters.db.decision_inputs_support import (
    NOW,
    RECENT,
    SINCE,
    line,
    offer_event,
    order,
    reads,
)


def test_an_unknown_customer_reads_as_nothing(engine: Engine) -> None:
    with engine.connect() as connection:
        found = reads(connection, "nobody")
    assert found == repo.CustomerReads(None, (0, None), (), ())


def test_customer_and_consents_read_as_the_customers_repository_does(engine: Engine) -> None:
    given = [
        Consent(ConsentPurpose.MARKETING_EMAIL, True, NOW - timedelta(days=3), "web"),
        Consent(ConsentPurpose.ONSITE_OFFERS, False, NOW - timedelta(days=1), "api"),
        Consent(ConsentPurpose.MARKETING_EMAIL, False, NOW - timedelta(days=1), "web"),
        Consent(ConsentPurpose.ONSITE_OFFERS, True, NOW - timedelta(days=9), "import"),
    ]
    with engine.begin() as connection:
        for consent in given:
            customers_repo.record_consent(connection, "c1", consent)
    with engine.connect() as connection:
        customer = reads(connection).customer
        expected = customers_repo.get_customer(connection, "c1")
    assert customer == expected
    assert customer is not None
    assert [c.at for c in customer.consents] == sorted(c.at for c in given)
    assert not customer.allows(ConsentPurpose.ONSITE_OFFERS)


def test_offer_events_since_are_read_oldest_first_other_types_left_out(engine: Engine) -> None:
    batch = [
        offer_event("late", EventType.OFFER_DECLINED, 1, kind="upsell", for_sku="TENT"),
        offer_event("early", EventType.OFFER_SHOWN, 5, relevance=0.5, offer_id="off_1"),
        offer_event("tie-b", EventType.OFFER_ACCEPTED, 3),
        offer_event("tie-a", EventType.OFFER_DISMISSED, 3, relevance="high"),
        offer_event(
            "odd", EventType.OFFER_SHOWN, 2, kind=7, for_sku=12, relevance=True, offer_id=9
        ),
        offer_event("old", EventType.OFFER_SHOWN, 40),
        offer_event("view", EventType.PRODUCT_VIEWED, 1),
        Event(EventId("no-sku"), EventType.OFFER_SHOWN, CustomerId("c1"), NOW),
    ]
    with engine.begin() as connection:
        events_repo.insert_events(connection, batch)
    with engine.connect() as connection:
        found = reads(connection).offer_events
        stored = events_repo.recent_offer_events(connection, "c1", since=SINCE)
    expected = tuple(o for o in map(OfferEvent.from_event, stored) if o is not None)
    assert found == expected
    assert [e.response for e in found] == [
        OfferResponse.SHOWN,
        OfferResponse.DISMISSED,
        OfferResponse.ACCEPTED,
        OfferResponse.SHOWN,
        OfferResponse.DECLINED,
    ]
    assert (found[3].kind, found[3].for_sku, found[3].relevance, found[3].offer_id) == (
        None,
        "12",
        1.0,
        "9",
    )
    assert (found[0].relevance, found[0].offer_id) == (0.5, "off_1")
    assert (found[-1].kind, found[-1].for_sku) == (OfferKind.UPSELL, "TENT")
    assert found[-1].at == NOW - timedelta(days=1)


def test_purchases_keep_first_buys_recent_last_buys_and_upgrades(engine: Engine) -> None:
    with engine.begin() as connection:
        orders_repo.insert_orders(
            connection,
            [
                order("o1", 200, line("MUG"), line("PLAN", LineSource.UPSELL)),
                order("o2", 100, line("MUG"), line("PLAN", LineSource.UPSELL), line("OLD")),
                order("o3", 150, line("OLD")),
                order("o4", 3, line("MUG")),
                order("o5", -1, line("FUTURE")),
                order("x1", 5, line("MUG"), customer="c2"),
            ],
            source="api",
        )
    with engine.connect() as connection:
        found = reads(connection)
        alone = repo.read_purchases(connection, "c1", until=NOW, recent=RECENT)
        everything = repo.read_purchases(connection, "c1", until=NOW)
    assert found.purchases == alone
    at = {(p.sku, p.at) for p in alone}
    assert at == {
        ("MUG", NOW - timedelta(days=200)),
        ("MUG", NOW - timedelta(days=3)),
        ("PLAN", NOW - timedelta(days=200)),
        ("PLAN", NOW - timedelta(days=100)),
        ("OLD", NOW - timedelta(days=150)),
    }, "no FUTURE (after until), no old last buy of OLD, the upgrade's last buy kept"
    assert {p.source for p in alone if p.sku == "PLAN"} == {LineSource.UPSELL}
    assert Purchase(Sku("OLD"), NOW - timedelta(days=100)) in everything
    assert found.stamp == (5, NOW + timedelta(days=1))


def test_the_stamp_changes_with_every_order_and_times_are_aware_utc(engine: Engine) -> None:
    with engine.begin() as connection:
        orders_repo.insert_orders(connection, [order("o1", 2, line("MUG"))], source="api")
    with engine.connect() as connection:
        before = reads(connection, purchases=False)
    with engine.begin() as connection:
        orders_repo.insert_orders(connection, [order("o0", 9, line("MUG"))], source="api")
    with engine.connect() as connection:
        after = reads(connection, purchases=False)
    assert before.purchases is None
    assert before.stamp == (1, NOW - timedelta(days=2))
    assert after.stamp == (2, NOW - timedelta(days=2))
    newest = after.stamp[1]
    assert newest is not None
    assert newest.tzinfo is UTC


def test_an_order_in_a_year_before_1000_reads_back(engine: Engine) -> None:
    # Found by API fuzzing: year 347 was stored as '347-...' and could not be read back.
    at = datetime(347, 5, 11, 7, 19, 39, tzinfo=UTC)
    ancient = Order(OrderId("o-347"), at, (line("MUG"),), CustomerId("c1"))
    with engine.begin() as connection:
        orders_repo.insert_orders(connection, [ancient], source="api")
    with engine.connect() as connection:
        assert reads(connection, purchases=False).stamp == (1, at)


def test_times_given_in_other_zones_bound_the_same_moment(engine: Engine) -> None:
    with engine.begin() as connection:
        orders_repo.insert_orders(connection, [order("o1", 0, line("MUG"))], source="api")
        events_repo.insert_events(connection, [offer_event("e", EventType.OFFER_SHOWN, 0)])
    paris = NOW.astimezone(timezone(timedelta(hours=2)))
    with engine.connect() as connection:
        found = reads(connection, since=paris, until=paris)
        later = reads(connection, since=paris + timedelta(microseconds=1), until=paris)
        earlier = reads(connection, until=paris - timedelta(microseconds=1))
    assert len(found.offer_events) == 1
    assert len(found.purchases or ()) == 1
    assert later.offer_events == ()
    assert earlier.purchases == ()


def test_decision_inputs_gathers_the_three(engine: Engine) -> None:
    with engine.begin() as connection:
        orders_repo.insert_orders(connection, [order("o1", 2, line("MUG"))], source="api")
        customers_repo.record_consent(
            connection, "c1", Consent(ConsentPurpose.MARKETING_EMAIL, True, NOW, "web")
        )
    with engine.connect() as connection:
        found = repo.decision_inputs(connection, "c1", since=SINCE, until=NOW, recent=RECENT)
    assert found.customer is not None
    assert found.customer.allows(ConsentPurpose.MARKETING_EMAIL)
    assert found.purchases == (Purchase(Sku("MUG"), NOW - timedelta(days=2)),)
    assert found.offer_events == ()


def _reference(orders: list[Order], until: datetime, recent: datetime | None) -> list[Purchase]:
    """Each SKU and source's first buy, then its last if since `recent` or an upgrade."""
    spans: dict[tuple[str, LineSource], list[datetime]] = {}
    for o in orders:
        if o.created_at > until:
            continue
        for ln in o.lines:
            span = spans.setdefault((ln.sku, ln.source), [o.created_at, o.created_at])
            span[0], span[1] = min(span[0], o.created_at), max(span[1], o.created_at)
    found = []
    for (sku, source), (first, last) in spans.items():
        found.append(Purchase(Sku(sku), first, source))
        if last != first and (recent is None or last >= recent or source is LineSource.UPSELL):
            found.append(Purchase(Sku(sku), last, source))
    return found


def test_purchases_match_the_orders_in_any_insert_order_with_ties(engine: Engine) -> None:
    """Orders stored out of time order, sharing times, mixing sources and repeating SKUs."""
    up, cross = LineSource.UPSELL, LineSource.CROSS_SELL
    mixed = [
        order("o1", 50, line("MUG"), line("TEA"), line("MUG")),
        order("o2", 400, line("TEA"), line("PLAN", up), line("MUG", cross)),
        order("o3", 50, line("CAP"), line("TEA")),
        order("o4", 2, line("MUG", cross), line("PLAN", up), line("CAP")),
        order("o5", 900, line("MUG"), line("PLAN", up)),
        order("o6", 10, line("TEA"), line("PLAN", up)),
    ]
    plain = [  # main lines only (the common case)
        order(f"p{i}", days, line(a), line(b), customer="c2")
        for i, (days, a, b) in enumerate(
            [(9, "A", "B"), (90, "B", "C"), (1, "C", "A"), (9, "D", "A")]
        )
    ]
    with engine.begin() as connection:
        orders_repo.insert_orders(connection, mixed + plain[:2], source="api")
        orders_repo.insert_orders(connection, plain[2:], source="api")
    with engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        for customer in ("c1", "c2"):
            stored = orders_repo.orders_of(connection, customer)
            if sqlite:  # lines are read as stored, which sets the purchases' order
                rowid = "SELECT order_id FROM orders ORDER BY rowid"
                ids = [r[0] for r in connection.exec_driver_sql(rowid)]
                stored.sort(key=lambda o: ids.index(o.order_id))
            for until, recent in [(NOW, RECENT), (NOW, None), (NOW - timedelta(days=20), RECENT)]:
                found = repo.read_purchases(connection, customer, until=until, recent=recent)
                expected = _reference(stored, until, recent)
                assert sorted(map(repr, found)) == sorted(map(repr, expected))
                if sqlite:
                    assert list(found) == expected, "first seen first, each last right after it"
                inputs = reads(connection, customer, until=until, recent=recent)
                assert inputs.purchases == found


def _logged(
    decision_id: str, days: float, *shown: tuple[str, str, float | None], customer: str = "c1"
) -> Any:
    """A decision as the log stores it, showing (offer id, SKU, relevance) offers."""
    at = NOW - timedelta(days=days)
    impressions = [
        offers_repo.Impression(
            decision_id=decision_id,
            offer_id=offer_id,
            position=n,
            customer_id=customer,
            kind="upsell" if n else "cross_sell",
            sku=sku,
            for_sku="TENT" if n else None,
            format="inline",
            price=Money(900, "GBP"),
            at=at,
            relevance=relevance,
        )
        for n, (offer_id, sku, relevance) in enumerate(shown)
    ]
    cart = [{"sku": "TENT", "quantity": 1}]
    return offers_repo.DecisionRecord(decision_id, customer, "cart", at, False, cart, impressions)


def test_offers_decisions_showed_are_read_as_shown_events_among_the_others(
    engine: Engine,
) -> None:
    """Impressions are the record of an offer shown; they merge with events by time."""
    with engine.begin() as connection:
        offers_repo.save_decision(connection, _logged("d1", 4, ("off_a", "MUG", 0.25)))
        offers_repo.save_decision(
            connection, _logged("d2", 2, ("off_b", "TEA", None), ("off_c", "CAP", 0.5))
        )
        offers_repo.save_decision(connection, _logged("d0", 45, ("off_old", "MUG", 0.5)))
        offers_repo.save_decision(
            connection, _logged("x1", 1, ("off_x", "MUG", 0.5), customer="c2")
        )
        events_repo.insert_events(
            connection,
            [
                offer_event("declined", EventType.OFFER_DECLINED, 3, offer_id="off_a"),
                offer_event("checkout", EventType.OFFER_SHOWN, 2, offer_id="bump"),
            ],
        )
    with engine.connect() as connection:
        found = reads(connection, purchases=False).offer_events
    assert [(e.response, e.offer_id) for e in found] == [
        (OfferResponse.SHOWN, "off_a"),
        (OfferResponse.DECLINED, "off_a"),
        (OfferResponse.SHOWN, "bump"),
        (OfferResponse.SHOWN, "off_b"),
        (OfferResponse.SHOWN, "off_c"),
    ], "oldest first, ties by id; nothing before since, nothing of another customer"
    first, _, _, second, third = found
    assert first == OfferEvent(
        OfferResponse.SHOWN,
        Sku("MUG"),
        NOW - timedelta(days=4),
        OfferKind.CROSS_SELL,
        None,
        0.25,
        "off_a",
    )
    assert (second.sku, second.kind, second.for_sku, second.relevance) == (
        "TEA",
        OfferKind.CROSS_SELL,
        None,
        None,
    )
    assert (third.kind, third.for_sku, third.relevance) == (OfferKind.UPSELL, "TENT", 0.5)
    assert third.at == NOW - timedelta(days=2)
    assert third.at.tzinfo is UTC
