"""Migration 0007 on real SQLite and PostgreSQL: offer_shown copies go, and come back."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.repositories import decision_inputs as inputs_repo
from tactful.adapters.db.repositories import events as events_repo
from tactful.adapters.db.repositories import offers as offers_repo
from tactful.adapters.db.schema import current_revision, downgrade, upgrade
from tactful.domain.customers import CustomerId
from tactful.domain.events import Event, EventId, EventType
from tactful.domain.money import Money
from tactful.domain.offers import OfferResponse
from tests.conftest import PG_ADMIN_URL

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
INDEX = "ix_offer_impressions_customer_shown"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def blank(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a database no migration has touched yet."""
    if request.param == "sqlite":
        engine = build_engine(f"sqlite:///{(tmp_path / 'old.db').as_posix()}")
        yield engine
        engine.dispose()
        return
    if not request.getfixturevalue("postgres_available"):
        pytest.skip("PostgreSQL is not reachable (set CI=1 to make this an error)")
    name = f"tactful_migration_{uuid.uuid4().hex[:12]}"
    admin = build_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name)
    engine = build_engine(url.render_as_string(hide_password=False))
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _impression(offer_id: str, n: int, relevance: float | None) -> offers_repo.Impression:
    return offers_repo.Impression(
        decision_id="d1",
        offer_id=offer_id,
        position=n,
        customer_id="c1",
        kind="cross_sell",
        sku=f"SKU-{offer_id}",
        for_sku="TENT" if n else None,
        format="inline",
        price=Money(900, "GBP"),
        at=NOW,
        relevance=relevance,
    )


SHOWN = [_impression("x", 0, 0.4), _impression("y", 1, None)]


def _copy(impression: offers_repo.Impression) -> Event:
    """The offer_shown event tactful wrote beside each impression before 0007."""
    properties: dict[str, object] = {
        "offer_id": impression.offer_id,
        "decision_id": impression.decision_id,
        "kind": impression.kind,
        "for_sku": impression.for_sku,
        "channel": "web",
    }
    if impression.relevance is not None:
        properties["relevance"] = impression.relevance
    return Event(
        EventId(f"d1:{impression.offer_id}:shown"),
        EventType.OFFER_SHOWN,
        CustomerId("c1"),
        NOW,
        impression.sku,
        properties,
    )


def _others() -> list[Event]:
    """Offer events of other channels, which no migration may touch."""
    checkout = Event(
        EventId("chk:bump:shown"),
        EventType.OFFER_SHOWN,
        CustomerId("c1"),
        NOW - timedelta(hours=1),
        "SKU-bump",
        {"offer_id": "bump", "channel": "checkout"},
    )
    declined = Event(
        EventId("d1:x:declined"),
        EventType.OFFER_DECLINED,
        CustomerId("c1"),
        NOW + timedelta(minutes=1),
        "SKU-x",
        {"offer_id": "x", "decision_id": "d1"},
    )
    return [checkout, declined]


def _events(engine: Engine) -> dict[str, Event]:
    with engine.connect() as connection:
        return {e.event_id: e for e in events_repo.events_of(connection, "c1")}


def _indexes(engine: Engine) -> set[str]:
    return {i["name"] or "" for i in sa.inspect(engine).get_indexes("offer_impressions")}


def test_upgrade_drops_the_copies_and_downgrade_writes_them_back(blank: Engine) -> None:
    upgrade(blank, "0006")
    record = offers_repo.DecisionRecord(
        "d1", "c1", "cart", NOW, False, [{"sku": "TENT", "quantity": 1}], SHOWN, channel="web"
    )
    with blank.begin() as connection:
        # Today's writer also fills `decisions.trace` (migration 0030), which 0007 leaves alone.
        connection.execute(sa.text("ALTER TABLE decisions ADD COLUMN trace TEXT"))
        offers_repo.save_decision(connection, record)
        events_repo.insert_events(connection, [*map(_copy, SHOWN), *_others()])
    before = _events(blank)
    assert len(before) == 4

    upgrade(blank, "0007")
    assert current_revision(blank) == "0007"
    assert set(_events(blank)) == {"chk:bump:shown", "d1:x:declined"}
    assert INDEX in _indexes(blank)
    with blank.connect() as connection:
        found = inputs_repo.read_customer_inputs(
            connection,
            "c1",
            since=NOW - timedelta(days=1),
            until=NOW,
            recent=None,
            purchases=False,
        ).offer_events
    shown = [(e.response, e.offer_id) for e in found]
    assert shown == [
        (OfferResponse.SHOWN, "bump"),
        (OfferResponse.SHOWN, "x"),
        (OfferResponse.SHOWN, "y"),
        (OfferResponse.DECLINED, "x"),
    ], "each offer shown counts once, as before the migration"

    downgrade(blank, "0006")
    assert current_revision(blank) == "0006"
    assert INDEX not in _indexes(blank)
    assert _events(blank) == before
