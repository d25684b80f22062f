"""Event store and offer log contract: SQLite, PostgreSQL and memory alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tactful.domain.counts import EventCounts
from tactful.domain.customers import CustomerId
from tactful.domain.events import Event, EventId, EventType
from tactful.domain.money import Money
from tactful.domain.offers import OfferResponse
from tactful.domain.offers.records import DecisionRecord, Impression
from tactful.services.ports.storage import Database

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


def event(event_id: str, kind: EventType = EventType.PRODUCT_VIEWED, days: float = 0) -> Event:
    return Event(
        EventId(event_id),
        kind,
        CustomerId("c1"),
        NOW - timedelta(days=days),
        properties={"offer_id": "o", "nested": {"n": 1}},
    )


def test_events_are_stored_once_per_id(database: Database) -> None:
    with database.transaction() as tx:
        first = tx.events.insert_events([event("a"), event("b"), event("a")])
    with database.transaction() as tx:
        second = tx.events.insert_events([event("b"), event("c")])
        assert tx.events.count_events() == 3
    assert first == EventCounts(accepted=2, duplicate=1)
    assert second == EventCounts(accepted=1, duplicate=1)


def test_events_round_trip_aware_and_ordered(database: Database) -> None:
    with database.transaction() as tx:
        tx.events.insert_events([event("late", days=1), event("early", days=3)])
        stored = tx.events.events_of("c1")
    assert [e.event_id for e in stored] == ["early", "late"]
    assert stored[0].at == NOW - timedelta(days=3)
    assert stored[0].at.tzinfo is not None
    assert stored[0].properties == {"offer_id": "o", "nested": {"n": 1}}


def test_recent_offer_events_filter_type_and_time(database: Database) -> None:
    batch = [
        event("shown", EventType.OFFER_SHOWN, days=1),
        event("declined", EventType.OFFER_DECLINED, days=2),
        event("old", EventType.OFFER_DECLINED, days=40),
        event("view", EventType.PRODUCT_VIEWED, days=1),
    ]
    with database.transaction() as tx:
        tx.events.insert_events(batch)
        recent = tx.events.recent_offer_events("c1", since=NOW - timedelta(days=30))
    assert [e.event_id for e in recent] == ["declined", "shown"]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ids=st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=20))
def test_accepted_plus_duplicate_is_batch_size(database: Database, ids: list[str]) -> None:
    """The database is shared by all examples: ids stored by earlier ones count as duplicates."""
    with database.transaction() as tx:
        before = tx.events.count_events()
        counts = tx.events.insert_events([event(f"h-{i}") for i in ids])
        after = tx.events.count_events()
    assert counts.accepted + counts.duplicate == len(ids)
    assert after - before == counts.accepted
    assert counts.accepted <= len(set(ids))


def impression(decision_id: str, offer_id: str, position: int) -> Impression:
    return Impression(
        decision_id=decision_id,
        offer_id=offer_id,
        position=position,
        customer_id="c1",
        kind="cross_sell",
        sku=f"SKU-{offer_id}",
        for_sku="BASE",
        format="inline",
        price=Money(1299, "GBP"),
        at=NOW,
        relevance=0.4,
        channel="web",
    )


def record(decision_id: str, *shown: Impression, held_out: bool = False) -> DecisionRecord:
    return DecisionRecord(
        decision_id=decision_id,
        customer_id="c1",
        moment="cart",
        at=NOW,
        held_out=held_out,
        cart=[{"sku": "BASE", "quantity": 1}],
        impressions=shown,
        channel="web",
    )


def test_decision_log_writes_impressions_and_no_shown_event_copies(database: Database) -> None:
    with database.transaction() as tx:
        tx.offers.save_decision(record("d1", impression("d1", "x", 0), impression("d1", "y", 1)))
        tx.offers.save_decision(record("d2", held_out=True))
    with database.transaction() as tx:
        assert tx.offers.count_decisions() == 2
        assert tx.offers.count_decisions(held_out=True) == 1
        assert tx.offers.count_impressions() == 2
        copies = tx.events.events_of("c1", types=[EventType.OFFER_SHOWN])
        found = tx.offers.get_impression("d1", "y")
        missing = tx.offers.get_impression("d2", "y")
    assert copies == []
    assert found is not None
    assert found.price == Money(1299, "GBP")
    assert found.channel == "web"
    assert found.relevance == 0.4
    assert missing is None


def test_response_is_stored_once_with_its_event(database: Database) -> None:
    shown = impression("d1", "x", 0)
    with database.transaction() as tx:
        tx.offers.save_decision(record("d1", shown))
    with database.transaction() as tx:
        first = tx.offers.save_response(shown, OfferResponse.DECLINED, at=NOW)
        again = tx.offers.save_response(shown, OfferResponse.DECLINED, at=NOW)
        later = tx.offers.save_response(shown, OfferResponse.ACCEPTED, at=NOW)
        answered = tx.events.events_of(
            "c1", types=[EventType.OFFER_DECLINED, EventType.OFFER_ACCEPTED]
        )
    assert (first, again, later) == (True, False, True)
    assert sorted(e.type for e in answered) == ["offer_accepted", "offer_declined"]
    assert all(e.sku == "SKU-x" for e in answered)
