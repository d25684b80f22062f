"""The browsed and renewal_upcoming triggers: parsing, the pure rules, and scans on a real DB."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from tactful.adapters.db.tables_email import email_enrolments, email_outbox
from tactful.adapters.email import JinjaMailTemplates
from tactful.domain.catalog import BillingPeriod, Product, ProductKind, Sku
from tactful.domain.customers import CustomerId
from tactful.domain.events import Event, EventId, EventType
from tactful.domain.money import Money
from tactful.domain.orders import Order, OrderId, OrderLine
from tactful.domain.sequences import SequenceFileError, TriggerType
from tactful.domain.sequences.triggers import (
    Purchase,
    View,
    add_months,
    browse_streaks,
    first_browse_hits,
    next_renewals,
    renewal_after,
)
from tactful.services.sequences import parse_text
from tactful.settings import Settings
from tests.email.support import T0, customer, email_container

BROWSE_YAML = """\
sequences:
  - id: browse-help
    trigger: {type: browsed, views: 3, within: 2d}
    holdout: 0.0
    steps:
      - value: {template: tips}
    exit: [purchase, unsubscribe]
  - id: renewal-notice
    trigger: {type: renewal_upcoming, days: 7}
    holdout: 0.0
    steps:
      - value: {template: tips}
    exit: [purchase, unsubscribe]
"""


def test_both_triggers_parse_with_their_fields() -> None:
    browse, renewal = parse_text(BROWSE_YAML, "t.yaml", JinjaMailTemplates())
    assert browse.trigger.type is TriggerType.BROWSED
    assert (browse.trigger.views, browse.trigger.within) == (3, timedelta(days=2))
    assert renewal.trigger.type is TriggerType.RENEWAL_UPCOMING
    assert renewal.trigger.after == timedelta(days=7)


def test_defaults() -> None:
    text = BROWSE_YAML.replace(", views: 3, within: 2d", "").replace(", days: 7", "")
    browse, renewal = parse_text(text, "t.yaml", JinjaMailTemplates())
    assert (browse.trigger.views, browse.trigger.within) == (3, timedelta(days=7))
    assert renewal.trigger.after == timedelta(days=7)


@pytest.mark.parametrize(
    ("old", "new", "line", "field"),
    [
        ("views: 3", "views: 0", 3, "sequences[0].trigger.views"),
        ("views: 3", "views: lots", 3, "sequences[0].trigger.views"),
        ("within: 2d", "within: -2d", 3, "sequences[0].trigger.within"),
        ("within: 2d", "within: 0d", 3, "sequences[0].trigger.within"),
        ("days: 7}", "days: 7, views: 2}", 9, "sequences[1].trigger.views"),
        ("days: 7}", "days: -1}", 9, "sequences[1].trigger.days"),
    ],
)
def test_faults_name_file_line_and_field(old: str, new: str, line: int, field: str) -> None:
    with pytest.raises(SequenceFileError) as caught:
        parse_text(BROWSE_YAML.replace(old, new), "flows.yaml", JinjaMailTemplates())
    assert caught.value.field == field
    assert caught.value.line == line
    assert str(caught.value).startswith(f"flows.yaml:{line}: {field}: ")


def test_months_clamp_to_the_end_of_the_month() -> None:
    assert add_months(datetime(2026, 1, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert renewal_after(datetime(2026, 3, 2, tzinfo=UTC), "year") == datetime(
        2027, 3, 2, tzinfo=UTC
    )


moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
)


@given(moments, st.sampled_from(["week", "month", "quarter", "year"]))
def test_a_renewal_is_one_period_later(purchased: datetime, period: str) -> None:
    renews = renewal_after(purchased, period)
    assert timedelta(days=7) <= renews - purchased <= timedelta(days=366)
    assert renews.time() == purchased.time()


@given(st.lists(st.tuples(moments, st.sampled_from(["a", "b"])), max_size=12))
def test_only_the_latest_purchase_of_a_subscription_counts(bought: list) -> None:  # type: ignore[type-arg]
    purchases = [Purchase("c", f"o{i}", sku, at, "month") for i, (at, sku) in enumerate(bought)]
    renewals = next_renewals(purchases)
    assert len(renewals) == len({sku for _, sku in bought})
    for renewal in renewals:
        sku = renewal.key.split(":")[1]
        latest = max(at for at, s in bought if s == sku)
        assert renewal.renews_at == add_months(latest, 1)


views = st.lists(
    st.tuples(st.integers(0, 200), st.sampled_from(["shoes", "hats"]), st.sampled_from("xy")),
    max_size=30,
)


@given(views, st.integers(1, 5), st.integers(1, 48))
def test_a_streak_view_has_k_related_views_in_its_span(raw: list, k: int, hours: int) -> None:  # type: ignore[type-arg]
    within = timedelta(hours=hours)
    made = [View(c, f"e{i}", T0 + timedelta(hours=h), g) for i, (h, g, c) in enumerate(raw)]
    hits = browse_streaks(made, k, within)
    for hit in hits:
        related = [
            v
            for v in made
            if v.customer_id == hit.customer_id
            and v.group == hit.group
            and hit.at - within < v.at <= hit.at
        ]
        assert len(related) >= k
    firsts = first_browse_hits(made, k, within, T0 - timedelta(days=1))
    assert set(firsts) == {hit.customer_id for hit in hits}
    for customer_id, first in firsts.items():
        assert all(first.at <= h.at for h in hits if h.customer_id == customer_id)


@pytest.fixture
def shop(settings: Settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    container, sender = email_container(settings)
    path = tmp_path / "seq.yaml"
    path.write_text(BROWSE_YAML)
    container.sequences.load_file(path, T0 - timedelta(days=60))
    gbp = Money(1500, "GBP")
    container.ingest.products(
        [
            Product(Sku("BOOT"), "Boot", gbp, ProductKind.PHYSICAL, category="shoes"),
            Product(Sku("SHOE"), "Shoe", gbp, ProductKind.PHYSICAL, category="shoes"),
            Product(Sku("HAT"), "Hat", gbp, ProductKind.PHYSICAL, category="hats"),
            Product(
                Sku("PLAN"),
                "Plan",
                gbp,
                ProductKind.SUBSCRIPTION,
                billing_period=BillingPeriod.MONTH,
            ),
        ]
    )
    container.ingest.customers([customer("ann"), customer("bob"), customer("cy")])
    yield container, sender
    container.close()


def _view(customer_id: str, sku: str, at: datetime, n: int) -> Event:
    return Event(
        EventId(f"v-{customer_id}-{n}"),
        EventType.PRODUCT_VIEWED,
        CustomerId(customer_id),
        at,
        Sku(sku),
    )


def _enrolled(container, sequence_id: str, now: datetime) -> list[str]:  # type: ignore[no-untyped-def]
    hits = container.email.store.trigger_hits(
        sequence_id, _trigger(container, sequence_id), now - timedelta(days=1), now
    )
    return sorted(h.customer_id for h in hits)


def _trigger(container, sequence_id: str):  # type: ignore[no-untyped-def]
    return next(s for _, s in container.sequences.active() if s.sequence_id == sequence_id).trigger


def test_browsed_needs_k_related_views_within_the_span(shop) -> None:  # type: ignore[no-untyped-def]
    container, _ = shop
    hour = timedelta(hours=1)
    container.ingest.events(
        [
            _view("ann", "BOOT", T0, 1),
            _view("ann", "SHOE", T0 + hour, 2),
            _view("ann", "BOOT", T0 + 2 * hour, 3),
            _view("bob", "BOOT", T0, 1),
            _view("bob", "HAT", T0 + hour, 2),
            _view("bob", "SHOE", T0 + 2 * hour, 3),
            _view("cy", "BOOT", T0 - timedelta(days=3), 1),
            _view("cy", "SHOE", T0, 2),
            _view("cy", "BOOT", T0 + hour, 3),
        ]
    )
    assert _enrolled(container, "browse-help", T0 + 3 * hour) == ["ann"]
    [hit] = container.email.store.trigger_hits(
        "browse-help", _trigger(container, "browse-help"), T0 - hour, T0 + 3 * hour
    )
    assert (hit.trigger_key, hit.trigger_at) == ("browsed:v-ann-3", T0 + 2 * hour)
    assert container.email.enrol(T0 + 3 * hour) >= 1


def test_renewal_upcoming_fires_days_before_the_next_renewal(shop) -> None:  # type: ignore[no-untyped-def]
    container, _ = shop
    plan = (OrderLine(Sku("PLAN"), 1, Money(1500, "GBP")),)
    bought = T0 - timedelta(days=20)
    container.ingest.orders(
        [
            Order(OrderId("o-ann"), bought, plan, CustomerId("ann")),
            Order(OrderId("o-bob-1"), bought - timedelta(days=31), plan, CustomerId("bob")),
            Order(OrderId("o-bob-2"), bought + timedelta(days=5), plan, CustomerId("bob")),
        ]
    )
    renews = add_months(bought, 1)
    notice = renews - timedelta(days=7)
    assert _enrolled(container, "renewal-notice", notice - timedelta(minutes=1)) == []
    assert _enrolled(container, "renewal-notice", notice) == ["ann"]
    assert _enrolled(container, "renewal-notice", notice + timedelta(days=5)) == ["bob"]
    assert container.email.enrol(notice) == 1
    assert _enrolled(container, "renewal-notice", notice) == []


def test_rescans_of_the_same_window_hand_the_store_nothing_to_write(shop, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Enrolled once, a browsed or renewal hit is no hit again, even when the enrolment ended:
    every run of the worker scans the whole look-back window, and writes nothing new."""
    container, _ = shop
    store = container.email.store
    bought = T0 - timedelta(days=20)
    notice = add_months(bought, 1) - timedelta(days=7)
    plan = (OrderLine(Sku("PLAN"), 1, Money(1500, "GBP")),)
    container.ingest.orders([Order(OrderId("o-bob"), bought, plan, CustomerId("bob"))])
    container.ingest.events(
        [
            _view("ann", sku, notice - timedelta(hours=n), n)
            for n, sku in ((3, "BOOT"), (2, "SHOE"), (1, "BOOT"))
        ]
    )
    handed: list[int] = []
    enrol = store.enrol

    def recording(enrolments, mails):  # type: ignore[no-untyped-def]
        handed.append(len(enrolments) + len(mails))
        return enrol(enrolments, mails)

    monkeypatch.setattr(store, "enrol", recording)
    assert container.email.enrol(notice) == 2
    for key in (
        "browse-help|ann|browsed:v-ann-1",
        "renewal-notice|bob|renewal_upcoming:o-bob:PLAN",
    ):
        assert store.enrolment(key) is not None
        store.end_enrolment(key, "completed", notice)
    rows = _row_counts(container)
    handed.clear()
    for minutes in range(5):
        assert container.email.enrol(notice + timedelta(minutes=minutes)) == 0
    assert handed == [0, 0] * 5
    assert _row_counts(container) == rows


def _row_counts(container) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with container.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in (email_enrolments, email_outbox)
        )
