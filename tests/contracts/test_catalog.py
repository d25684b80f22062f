"""Catalogue store contract: SQLite, PostgreSQL and memory alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tactful.domain.catalog import Bundle, PricePoint, Product, ProductKind, Sku, Tier
from tactful.domain.counts import UpsertCounts
from tactful.domain.money import Money
from tactful.services.ports.storage import Database

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def product(sku: str, price: int = 1000, **changes: object) -> Product:
    fields: dict[str, object] = {
        "sku": Sku(sku),
        "name": f"Item {sku}",
        "price": Money(price, "EUR"),
    }
    fields.update(changes)
    return Product(**fields)  # type: ignore[arg-type]


def test_upsert_creates_then_leaves_identical_products_alone(database: Database) -> None:
    items = [product("A"), product("B", 250)]
    with database.transaction() as tx:
        assert tx.catalog.upsert_products(items, at=T0) == UpsertCounts(2, 0, 0)
        assert tx.catalog.upsert_products(items, at=T0 + timedelta(hours=1)) == UpsertCounts(
            0, 0, 2
        )
        assert tx.catalog.get_products(["A", "B", "missing"]) == {"A": items[0], "B": items[1]}


def test_every_field_round_trips(database: Database) -> None:
    full = product(
        "PRO",
        4900,
        kind=ProductKind.SUBSCRIPTION,
        category="plans",
        compare_at=Money(5900, "EUR"),
        tier=Tier("plans", 2),
        outcome="Publish faster",
        active=False,
        inventory=3,
    )
    with database.transaction() as tx:
        tx.catalog.upsert_products([full, product("A")], at=T0)
        assert tx.catalog.all_products() == [product("A"), full]


def test_price_change_is_recorded_in_history_with_its_time(database: Database) -> None:
    with database.transaction() as tx:
        tx.catalog.upsert_products([product("A", 1000)], at=T0)
        counts = tx.catalog.upsert_products([product("A", 800)], at=T0 + timedelta(days=2))
        tx.catalog.upsert_products([product("A", 800, name="Renamed")], at=T0 + timedelta(days=3))
        history = tx.catalog.price_history(["A", "B"])
    assert counts == UpsertCounts(0, 1, 0)
    assert history == {
        "A": [
            PricePoint(Sku("A"), Money(1000, "EUR"), T0),
            PricePoint(Sku("A"), Money(800, "EUR"), T0 + timedelta(days=2)),
        ]
    }


def test_update_fields_protect_what_the_caller_does_not_know(database: Database) -> None:
    merchant = product("A", 1000, kind=ProductKind.DIGITAL, outcome="Learn faster")
    imported = product("A", 900, name="Imported name")
    with database.transaction() as tx:
        tx.catalog.upsert_products([merchant], at=T0)
        fields = ("name", "price", "currency")
        counts = tx.catalog.upsert_products([imported], at=T0 + timedelta(1), update_fields=fields)
        stored = tx.catalog.get_products(["A"])["A"]
    assert counts == UpsertCounts(0, 1, 0)
    assert (stored.name, stored.price.amount) == ("Imported name", 900)
    assert (stored.kind, stored.outcome) == (ProductKind.DIGITAL, "Learn faster")


def test_older_data_never_overwrites_newer(database: Database) -> None:
    with database.transaction() as tx:
        tx.catalog.upsert_products([product("A", 1000)], at=T0)
        counts = tx.catalog.upsert_products([product("A", 1)], at=T0 - timedelta(days=1))
        assert counts == UpsertCounts(0, 0, 1)
        assert tx.catalog.get_products(["A"])["A"].price.amount == 1000


def test_create_only_mode_keeps_existing_rows(database: Database) -> None:
    with database.transaction() as tx:
        tx.catalog.upsert_products([product("A", 1000)], at=T0)
        later = T0 + timedelta(1)
        counts = tx.catalog.upsert_products(
            [product("A", 5), product("B")], at=later, update_fields=()
        )
        assert counts == UpsertCounts(1, 0, 1)
        assert tx.catalog.get_products(["A"])["A"].price.amount == 1000


def test_unknown_update_field_is_refused(database: Database) -> None:
    with database.transaction() as tx, pytest.raises(ValueError, match="unknown product fields"):
        tx.catalog.upsert_products([product("A")], at=T0, update_fields=("colour",))


def test_price_points_are_stored_once_and_times_keep_their_zone(database: Database) -> None:
    paris = datetime(2024, 3, 1, 13, 0, tzinfo=UTC) + timedelta(0)
    points = [PricePoint(Sku("A"), Money(700, "EUR"), paris)]
    with database.transaction() as tx:
        tx.catalog.upsert_products([product("A", 700)], at=T0 - timedelta(days=1))
        tx.catalog.record_price_points(points)
        tx.catalog.record_price_points(points)
        history = tx.catalog.price_history(["A"])["A"]
    assert len(history) == 2
    assert history[-1].effective_at == paris
    assert history[-1].effective_at.utcoffset() == timedelta(0)


def test_bundles_upsert_and_lookup_by_member(database: Database) -> None:
    kit = Bundle("kit", "Starter kit", frozenset({Sku("A"), Sku("B")}), Money(1500, "EUR"))
    other = Bundle("duo", "Duo", frozenset({Sku("C"), Sku("D")}), Money(900, "EUR"))
    with database.transaction() as tx:
        assert tx.catalog.upsert_bundles([kit, other]) == UpsertCounts(2, 0, 0)
        assert tx.catalog.upsert_bundles([kit]) == UpsertCounts(0, 0, 1)
        bigger = Bundle("kit", "Starter kit", frozenset({Sku("A"), Sku("E")}), Money(1600, "EUR"))
        assert tx.catalog.upsert_bundles([bigger]) == UpsertCounts(0, 1, 0)
        assert tx.catalog.bundles_containing(["E", "Z"]) == [bigger]
        assert tx.catalog.bundles_containing(["B"]) == []
        assert tx.catalog.bundles_containing(["C", "A"]) == [other, bigger]
