"""The worker re-mines when the model is old and orders came since; rollback by version."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from tactful.container import Container, build_container
from tactful.domain.affinity import MiningConfig
from tactful.domain.catalog import Sku
from tactful.domain.customers import CustomerId
from tactful.domain.money import Money
from tactful.domain.orders import Order, OrderId, OrderLine
from tactful.services.models import mine_and_activate
from tactful.services.remine import ScheduledRemine, UnknownVersionError, activate_version
from tactful.settings import Settings

START = datetime(2026, 11, 1, tzinfo=UTC)


def orders(first: int, count: int, at: datetime) -> list[Order]:
    return [
        Order(
            OrderId(f"o{n}"),
            at + timedelta(minutes=n),
            (
                OrderLine(Sku("A"), 1, Money(100, "GBP")),
                OrderLine(Sku(f"B{n % 3}"), 1, Money(200, "GBP")),
            ),
            CustomerId(f"c{n % 7}"),
        )
        for n in range(first, first + count)
    ]


@pytest.fixture
def container(settings: Settings, engine: Engine) -> Iterator[Container]:
    built = build_container(settings, engine=engine)
    yield built
    built.close()


def active(container: Container) -> str | None:
    with container.database.transaction() as tx:
        return tx.models.active_version()


def test_remines_only_when_old_and_new_orders_came(container: Container) -> None:
    container.ingest.orders(orders(0, 40, START))
    first = mine_and_activate(container.model_storage, container.settings, MiningConfig())
    remine = ScheduledRemine(container.model_storage, container.settings, timedelta(hours=24))
    created = first.created_at if first.created_at.tzinfo else first.created_at.replace(tzinfo=UTC)
    assert remine.run_due(created + timedelta(hours=1)) == 0  # too young
    assert remine.run_due(created + timedelta(days=2)) == 0  # nothing new
    container.ingest.orders(orders(100, 10, START + timedelta(days=20)))
    assert remine.run_due(created + timedelta(days=2)) == 1
    second = active(container)
    assert second is not None
    assert second != first.version
    assert activate_version(container.model_storage, first.version).version == first.version
    assert active(container) == first.version
    with pytest.raises(UnknownVersionError):
        activate_version(container.model_storage, "nope")
    assert (
        ScheduledRemine(container.model_storage, container.settings, timedelta(0)).run_due(
            created + timedelta(days=9)
        )
        == 0
    )
