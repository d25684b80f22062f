"""The catalogue cache notices writes by other processes through the change counter.

Each writer below uses an engine of its own, as `tactful import` or another server worker
would; the cache's engine only reads. The old cache compared product counts and the newest
`updated_at`, so an import updating a product with an older date, or a bundle changing its
items at the same price, went unnoticed until a restart (issue 21, bug 12).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from tactful.adapters.db.catalog_cache import SqlCatalogSource
from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.repositories.catalog import SqlCatalogStore
from tactful.domain.catalog import Bundle, Product, Sku
from tactful.domain.money import Money
from tactful.domain.offers import OfferCatalog

OLD, NEW = datetime(2011, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)


def gbp(amount: int) -> Money:
    return Money(amount, "GBP")


@pytest.fixture
def writer(database_url: str) -> Iterator[Callable[[Callable[[SqlCatalogStore], object]], None]]:
    """Runs a catalogue write in its own transaction on an engine of its own."""
    engine = build_engine(database_url)

    def write(change: Callable[[SqlCatalogStore], object]) -> None:
        with engine.begin() as connection:
            change(SqlCatalogStore(connection))

    yield write
    engine.dispose()


def eventually(source: SqlCatalogSource, check: Callable[[OfferCatalog], bool]) -> None:
    deadline = time.monotonic() + 30
    while not check(source.current()):
        assert time.monotonic() < deadline, "the cache never noticed the write"
        time.sleep(0.05)


def test_an_update_with_an_older_date_is_noticed(
    engine: Engine, writer: Callable[..., None]
) -> None:
    writer(lambda s: s.upsert_products([Product(Sku("A"), "A", gbp(100))], at=OLD))
    writer(lambda s: s.upsert_products([Product(Sku("B"), "B", gbp(200))], at=NEW))
    source = SqlCatalogSource(engine)
    assert source.current().products[Sku("A")].price == gbp(100)
    later = datetime(2012, 1, 1, tzinfo=UTC)  # newer than A's row, older than B's
    writer(lambda s: s.upsert_products([Product(Sku("A"), "A", gbp(150))], at=later))
    eventually(source, lambda catalog: catalog.products[Sku("A")].price == gbp(150))


def test_a_bundle_changing_its_items_at_the_same_price_is_noticed(
    engine: Engine, writer: Callable[..., None]
) -> None:
    items = [Product(Sku(s), s, gbp(100)) for s in "ABC"]
    writer(lambda s: s.upsert_products(items, at=NEW))
    bundle = Bundle("kit", "Kit", frozenset({Sku("A"), Sku("B")}), gbp(180))
    writer(lambda s: s.upsert_bundles([bundle]))
    source = SqlCatalogSource(engine)
    assert source.current().bundles_with(Sku("C")) == ()
    changed = Bundle("kit", "Kit", frozenset({Sku("A"), Sku("C")}), gbp(180))
    writer(lambda s: s.upsert_bundles([changed]))
    eventually(source, lambda catalog: len(catalog.bundles_with(Sku("C"))) == 1)
