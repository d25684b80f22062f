"""The composition root: one container of every service, typed, built once, closed once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, event

from tactful.adapters.db.repositories.catalog import SqlCatalogStore
from tactful.adapters.payments import TestModeGateway
from tactful.container import build_container
from tactful.domain.catalog import Product, Sku
from tactful.domain.clock import FixedClock
from tactful.domain.money import Money
from tactful.domain.offers import CartLine, Moment
from tactful.services.decisions import DecisionRequest
from tactful.services.ports.decisions import DecisionLogClosedError
from tactful.settings import Settings

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


def test_every_service_shares_one_database_and_clock(settings: Settings, engine: Engine) -> None:
    clock = FixedClock(NOW)
    services = build_container(settings, engine=engine, clock=clock)
    assert services.decisions.database is services.database
    assert services.ingest.database is services.database
    assert services.models.storage is services.model_storage
    assert services.decisions.clock is clock
    assert services.checkout.clock is clock
    assert isinstance(services.payment_gateway, TestModeGateway)
    assert services.checkout.gateway is services.payment_gateway
    assert services.check_database() == engine.dialect.name
    services.close()


def test_close_stores_what_was_decided_then_refuses_more(
    settings: Settings, engine: Engine
) -> None:
    services = build_container(settings, engine=engine, clock=FixedClock(NOW))
    request = DecisionRequest(customer_id="c1", moment=Moment.CART, cart=(CartLine(Sku("TENT")),))

    async def decide_one() -> str:
        return (await services.decisions.decide_logged(request)).decision_id

    decision_id = asyncio.run(decide_one())
    services.close()
    with services.database.transaction() as tx:
        assert tx.offers.decision_exists(decision_id)
    with pytest.raises(DecisionLogClosedError):
        asyncio.run(decide_one())


def test_an_unknown_payment_gateway_is_refused() -> None:
    with pytest.raises(ValueError, match="payment_gateway"):
        Settings.from_env({"TACTFUL_PAYMENT_GATEWAY": "paypal"})


def test_start_loads_the_catalogue_so_the_first_decision_reads_no_product_rows(
    settings: Settings, engine: Engine
) -> None:
    services = build_container(settings, engine=engine, clock=FixedClock(NOW))
    tent = Product(Sku("TENT"), "Tent", Money(12_000, "GBP"))
    with engine.begin() as connection:
        SqlCatalogStore(connection).upsert_products([tent], at=NOW)
    services.start()
    statements: list[str] = []

    def note(*args: object) -> None:
        statements.append(str(args[2]))  # before_cursor_execute(conn, cursor, statement, ...)

    event.listen(engine, "before_cursor_execute", note)
    try:
        request = DecisionRequest(customer_id="c1", moment=Moment.CART, cart=(CartLine(tent.sku),))
        services.decisions.decide(request)
    finally:
        event.remove(engine, "before_cursor_execute", note)
        services.close()
    assert statements, "the decision should have been stored"
    catalogue_reads = [s for s in statements if "FROM products" in s or "FROM price_history" in s]
    assert catalogue_reads == []
