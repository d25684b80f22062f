"""Events and the decision log, against real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from tactful.adapters.db.repositories import events as repo
from tactful.adapters.db.repositories import offers
from tactful.domain.customers import CustomerId
from tactful.domain.events import Event, EventId, EventType
from tactful.domain.money import Money

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


def event(event_id: str, kind: EventType = EventType.PRODUCT_VIEWED, days: float = 0) -> Event:
    return Event(
        EventId(event_id),
        kind,
        CustomerId("c1"),
        NOW - timedelta(days=days),
        properties={"offer_id": "o", "nested": {"n": 1}},
    )


def test_events_are_stored_once_per_id(engine: Engine) -> None:
    with engine.begin() as connection:
        first = repo.insert_events(connection, [event("a"), event("b"), event("a")])
    with engine.begin() as connection:
        second = repo.insert_events(connection, [event("b"), event("c")])
        assert repo.count_events(connection) == 3
    assert first == repo.EventCounts(accepted=2, duplicate=1)
    assert second == repo.EventCounts(accepted=1, duplicate=1)


def test_events_round_trip_aware_and_ordered(engine: Engine) -> None:
    with engine.begin() as connection:
        repo.insert_events(connection, [event("late", days=1), event("early", days=3)])
        stored = repo.events_of(connection, "c1")
    assert [e.event_id for e in stored] == ["early", "late"]
    assert stored[0].at == NOW - timedelta(days=3)
    assert stored[0].at.tzinfo is not None
    assert stored[0].properties == {"offer_id": "o", "nested": {"n": 1}}


def test_recent_offer_events_filter_type_and_time(engine: Engine) -> None:
    batch = [
        event("shown", EventType.OFFER_SHOWN, days=1),
        event("declined", EventType.OFFER_DECLINED, days=2),
        event("old", EventType.OFFER_DECLINED, days=40),
        event("view", EventType.PRODUCT_VIEWED, days=1),
    ]
    with engine.begin() as connection:
        repo.insert_events(connection, batch)
        recent = repo.recent_offer_events(connection, "c1", since=NOW - timedelta(days=30))
    assert [e.event_id for e in recent] == ["declined", "shown"]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ids=st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=20))
def test_accepted_plus_duplicate_is_batch_size(engine: Engine, ids: list[str]) -> None:
    """The engine is shared by all examples: ids stored by earlier ones count as duplicates."""
    with engine.begin() as connection:
        before = repo.count_events(connection)
        counts = repo.insert_events(connection, [event(f"h-{i}") for i in ids])
        after = repo.count_events(connection)
    assert counts.accepted + counts.duplicate == len(ids)
    assert after - before == counts.accepted
    assert counts.accepted <= len(set(ids))


def impression(decision_id: str, offer_id: str, position: int) -> offers.Impression:
    return offers.Impression(
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


def record(
    decision_id: str, *shown: offers.Impression, held_out: bool = False
) -> offers.DecisionRecord:
    return offers.DecisionRecord(
        decision_id=decision_id,
        customer_id="c1",
        moment="cart",
        at=NOW,
        held_out=held_out,
        cart=[{"sku": "BASE", "quantity": 1}],
        impressions=shown,
        channel="web",
    )


def test_decision_log_writes_impressions_and_no_shown_event_copies(engine: Engine) -> None:
    with engine.begin() as connection:
        offers.save_decision(
            connection, record("d1", impression("d1", "x", 0), impression("d1", "y", 1))
        )
        offers.save_decision(connection, record("d2", held_out=True))
    with engine.connect() as connection:
        assert offers.count_decisions(connection) == 2
        assert offers.count_decisions(connection, held_out=True) == 1
        assert offers.count_impressions(connection) == 2
        copies = repo.events_of(connection, "c1", types=[EventType.OFFER_SHOWN])
        found = offers.get_impression(connection, "d1", "y")
        missing = offers.get_impression(connection, "d2", "y")
    assert copies == []
    assert found is not None
    assert found.price == Money(1299, "GBP")
    assert found.channel == "web"
    assert found.relevance == 0.4
    assert missing is None


def test_response_is_stored_once_with_its_event(engine: Engine) -> None:
    shown = impression("d1", "x", 0)
    with engine.begin() as connection:
        offers.save_decision(connection, record("d1", shown))
    with engine.begin() as connection:
        first = offers.save_response(connection, shown, offers.Response.DECLINED, at=NOW)
        again = offers.save_response(connection, shown, offers.Response.DECLINED, at=NOW)
        later = offers.save_response(connection, shown, offers.Response.ACCEPTED, at=NOW)
        answered = repo.events_of(
            connection, "c1", types=[EventType.OFFER_DECLINED, EventType.OFFER_ACCEPTED]
        )
    assert (first, again, later) == (True, False, True)
    assert sorted(e.type for e in answered) == ["offer_accepted", "offer_declined"]
    assert all(e.sku == "SKU-x" for e in answered)
