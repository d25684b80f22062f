"""The `EmailStore.trigger_hits` contract: the same customers, keys and times on every backend.

One hit per customer (their earliest in the window), none for customers already active in
the sequence nor for a trigger already enrolled; keys name what fired, so enrolment is
idempotent per trigger.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tactful.domain.events import EventType
from tactful.domain.sequences import Trigger, TriggerType
from tactful.services.ports.email import Enrolment, TriggerHit
from tactful.services.ports.storage import Database
from tests.contracts.email_support import (
    T0,
    email_store,
    enrol,
    event,
    order,
    seed_customers,
    seed_products,
)

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def hits(
    database: Database, trigger: Trigger, since: datetime = T0 - DAY, until: datetime = T0
) -> list[tuple[str, str]]:
    found = email_store(database).trigger_hits("s", trigger, since, until)
    return [(h.customer_id, h.trigger_key) for h in found]


def test_order_placed_by_kind_once_per_customer_earliest_first(database: Database) -> None:
    seed_products(database)
    seed_customers(database, "ann", "bob", tz="America/New_York")
    order(database, "o2", "ann", T0 - 2 * HOUR, "COURSE")
    order(database, "o1", "ann", T0 - 3 * HOUR, "COURSE", "MUG")
    order(database, "o3", "bob", T0 - HOUR, "MUG")
    order(database, "o4", "cat", T0 - 4 * HOUR, "BOOK")  # no customer row: UTC
    order(database, "o0", "dan", T0 - 2 * DAY, "COURSE")  # before the window
    order(database, "o9", "dan", T0 + HOUR, "COURSE")  # after it
    found = email_store(database).trigger_hits("s", Trigger(TriggerType.ORDER_PLACED), T0 - DAY, T0)
    assert found == [
        TriggerHit("cat", "order_placed:o4", T0 - 4 * HOUR, "UTC"),
        TriggerHit("ann", "order_placed:o1", T0 - 3 * HOUR, "America/New_York"),
        TriggerHit("bob", "order_placed:o3", T0 - HOUR, "America/New_York"),
    ]
    digital = Trigger(TriggerType.ORDER_PLACED, kind="digital")
    assert hits(database, digital) == [("ann", "order_placed:o1")]
    by_sku = Trigger(TriggerType.ORDER_PLACED, sku="MUG")
    assert hits(database, by_sku) == [("ann", "order_placed:o1"), ("bob", "order_placed:o3")]
    by_category = Trigger(TriggerType.ORDER_PLACED, category="learn")
    assert [c for c, _ in hits(database, by_category)] == ["cat", "ann"]


def test_customers_active_in_the_sequence_are_left_out(database: Database) -> None:
    seed_products(database)
    order(database, "o1", "ann", T0 - HOUR, "MUG")
    order(database, "o2", "bob", T0 - HOUR, "MUG")
    store = email_store(database)
    enrol(store, "ann", T0 + DAY)
    enrol(store, "bob", T0 + DAY, seq="another")
    assert hits(database, Trigger(TriggerType.ORDER_PLACED)) == [("bob", "order_placed:o2")]
    store.end_enrolment("s|ann|t", "purchase", T0)
    assert len(hits(database, Trigger(TriggerType.ORDER_PLACED))) == 2


def test_a_trigger_already_enrolled_is_no_hit_but_the_next_one_is(database: Database) -> None:
    seed_products(database)
    order(database, "o1", "ann", T0 - 3 * HOUR, "MUG")
    order(database, "o2", "ann", T0 - HOUR, "MUG")
    order(database, "o3", "bob", T0 - HOUR, "MUG")
    store = email_store(database)
    done = Enrolment("s|ann|order_placed:o1", "s", 1, "ann", "order_placed:o1", T0, T0, False)
    store.enrol([done], [])
    store.end_enrolment(done.enrolment_key, "completed", T0)
    placed = Trigger(TriggerType.ORDER_PLACED)
    assert hits(database, placed) == [("ann", "order_placed:o2"), ("bob", "order_placed:o3")]
    assert hits(database, placed, until=T0 - 2 * HOUR) == []  # only o1 in the window


def test_cart_abandoned_needs_quiet_minutes_and_no_order(database: Database) -> None:
    seed_products(database)
    trigger = Trigger(TriggerType.CART_ABANDONED, after=timedelta(minutes=60))
    event(database, "e1", EventType.ADDED_TO_CART, "ann", T0 - 3 * HOUR, "MUG")
    event(database, "e2", EventType.ADDED_TO_CART, "bob", T0 - 3 * HOUR, "MUG")
    order(database, "o1", "bob", T0 - 2 * HOUR, "MUG")  # bob bought
    event(database, "e3", EventType.ADDED_TO_CART, "cat", T0 - 3 * HOUR, "MUG")
    event(database, "e4", EventType.CHECKOUT_STARTED, "cat", T0 - 2 * HOUR, "MUG")
    event(database, "e5", EventType.ADDED_TO_CART, "dan", T0 - 30 * timedelta(minutes=1), "MUG")
    assert hits(database, trigger) == [("ann", "cart_abandoned:e1"), ("cat", "cart_abandoned:e4")]


def test_lapsed_customers_last_bought_long_ago(database: Database) -> None:
    seed_products(database)
    trigger = Trigger(TriggerType.LAPSED, after=timedelta(days=90))
    order(database, "o1", "ann", T0 - 90 * DAY - HOUR, "MUG")
    order(database, "o2", "bob", T0 - 90 * DAY - HOUR, "MUG")
    order(database, "o3", "bob", T0 - 10 * DAY, "MUG")  # bought again since
    order(database, "o4", "cat", T0 - 200 * DAY, "MUG")  # lapsed long before the window
    assert hits(database, trigger) == [("ann", "lapsed:o1")]


def test_signals_fire_on_their_event_types_and_sku(database: Database) -> None:
    seed_products(database)
    event(database, "e1", EventType.WISHLIST_ADDED, "ann", T0 - HOUR, "MUG")
    event(database, "e2", EventType.WISHLIST_ADDED, "bob", T0 - HOUR, "BOOK")
    event(database, "e3", EventType.TASK_COMPLETED, "cat", T0 - HOUR)
    wished = Trigger(TriggerType.WISHLIST_ADDED)
    assert sorted(hits(database, wished)) == [
        ("ann", "wishlist_added:e1"),
        ("bob", "wishlist_added:e2"),
    ]
    assert hits(database, Trigger(TriggerType.WISHLIST_ADDED, sku="BOOK")) == [
        ("bob", "wishlist_added:e2")
    ]
    assert hits(database, Trigger(TriggerType.TASK_COMPLETED)) == [("cat", "task_completed:e3")]


def test_browsed_fires_on_the_view_that_makes_k_related_ones(database: Database) -> None:
    seed_products(database)
    trigger = Trigger(TriggerType.BROWSED, views=2, within=timedelta(hours=6))
    event(database, "v1", EventType.PRODUCT_VIEWED, "ann", T0 - 5 * HOUR, "COURSE")
    event(database, "v2", EventType.PRODUCT_VIEWED, "ann", T0 - 4 * HOUR, "BOOK")  # same group
    event(database, "v3", EventType.PRODUCT_VIEWED, "bob", T0 - 5 * HOUR, "COURSE")
    event(database, "v4", EventType.PRODUCT_VIEWED, "bob", T0 - 4 * HOUR, "MUG")  # unrelated
    assert hits(database, trigger) == [("ann", "browsed:v2")]


def test_renewal_upcoming_fires_the_lead_time_before_the_renewal(database: Database) -> None:
    seed_products(database)
    trigger = Trigger(TriggerType.RENEWAL_UPCOMING, after=timedelta(days=3))
    # bought 2026-01-31 10:00 + 1 month = 2026-02-28 10:00, less 3 days: before the window
    order(database, "o0", "bob", T0 - 30 * DAY, "PLAN")
    # bought 2026-02-04 11:00: renews 2026-03-04 11:00, notice 2026-03-01 11:00 (in the window)
    order(database, "o1", "ann", T0 - 26 * DAY + HOUR, "PLAN")
    assert hits(database, trigger) == [("ann", "renewal_upcoming:o1:PLAN")]


def test_browsed_and_renewal_hits_once_enrolled_are_not_offered_again(database: Database) -> None:
    """A held-out customer stays out of the active set, and an enrolment may end: a rescan of
    the same window offers neither again (each run would only ask the store to skip them)."""
    seed_products(database)
    event(database, "v1", EventType.PRODUCT_VIEWED, "ann", T0 - 5 * HOUR, "COURSE")
    event(database, "v2", EventType.PRODUCT_VIEWED, "ann", T0 - 4 * HOUR, "BOOK")
    event(database, "v3", EventType.PRODUCT_VIEWED, "bob", T0 - 5 * HOUR, "COURSE")
    event(database, "v4", EventType.PRODUCT_VIEWED, "bob", T0 - 4 * HOUR, "BOOK")
    order(database, "o1", "ann", T0 - 26 * DAY + HOUR, "PLAN")
    order(database, "o2", "bob", T0 - 26 * DAY + HOUR, "PLAN")
    browsed = Trigger(TriggerType.BROWSED, views=2, within=timedelta(hours=6))
    renewal = Trigger(TriggerType.RENEWAL_UPCOMING, after=timedelta(days=3))
    store = email_store(database)
    for trigger in (browsed, renewal):
        first = store.trigger_hits("s", trigger, T0 - DAY, T0)
        assert [h.customer_id for h in first] == ["ann", "bob"]
        ann, bob = (
            Enrolment(
                f"s|{h.customer_id}|{h.trigger_key}",
                "s",
                1,
                h.customer_id,
                h.trigger_key,
                h.trigger_at,
                T0,
                h.customer_id == "ann",
                state,
            )
            for h, state in zip(first, ("held_out", "active"), strict=True)
        )
        store.enrol([ann, bob], [])
        store.end_enrolment(bob.enrolment_key, "completed", T0)
        assert store.trigger_hits("s", trigger, T0 - DAY, T0) == []
        assert store.trigger_hits("other", trigger, T0 - DAY, T0) == first
