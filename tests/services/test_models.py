"""Mining a version from stored orders, activating it, and swapping it in a running process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tactful.adapters.db.repositories.orders import insert_orders
from tactful.domain.affinity import MiningConfig
from tactful.domain.affinity.ranking import recommend
from tactful.domain.catalog import Sku
from tactful.domain.money import Money
from tactful.domain.orders import Order, OrderId, OrderLine
from tactful.services.models import (
    ModelProvider,
    NoOrdersError,
    current_model,
    mine_and_activate,
)
from tactful.settings import Settings

CONFIG = MiningConfig(min_support=0.05, min_confidence=0.2, min_cooccurrence=1)


def _orders(n: int, start: int = 0) -> list[Order]:
    """Tents go with pegs, stoves with gas; bread is everywhere."""
    at = datetime(2024, 1, 1, tzinfo=UTC)
    patterns = [("tent", "pegs", "bread"), ("stove", "gas"), ("tent", "pegs"), ("bread",)]
    orders = []
    for i in range(start, start + n):
        skus = patterns[i % len(patterns)]
        lines = tuple(OrderLine(Sku(s), 1, Money(500, "GBP")) for s in skus)
        orders.append(Order(OrderId(f"o{i}"), at + timedelta(hours=i), lines))
    return orders


def _store(engine: Engine, orders: list[Order]) -> None:
    with engine.begin() as conn:
        insert_orders(conn, orders, source="test")


def test_no_orders_is_a_clear_error(engine: Engine, settings: Settings) -> None:
    with pytest.raises(NoOrdersError, match="no stored orders"):
        mine_and_activate(engine, settings, CONFIG)
    assert current_model(engine) is None


def test_mine_activates_a_version_with_its_file(engine: Engine, settings: Settings) -> None:
    _store(engine, _orders(40))
    info = mine_and_activate(engine, settings, CONFIG)
    assert info.status == "active"
    assert Path(info.payload_path).is_file()
    assert Path(info.payload_path).parent == (settings.data_dir / "models").resolve()
    assert info.summary["n_baskets"] == 40
    assert info.params["mining"]["min_support"] == 0.05
    assert info.window_start is not None
    assert info.window_end is not None
    current = current_model(engine)
    assert current is not None
    assert current.version == info.version


def test_provider_loads_at_start_and_picks_up_new_versions(
    engine: Engine, settings: Settings
) -> None:
    _store(engine, _orders(40))
    first = mine_and_activate(engine, settings, CONFIG)
    now = [0.0]
    provider = ModelProvider(engine, check_every=5.0, clock=lambda: now[0])
    loaded = provider.start()
    assert loaded is not None
    assert loaded.info.version == first.version
    assert recommend(loaded.scorer, ["tent"], 1)[0][0] == "pegs"
    assert [r.consequent for r in loaded.model.rules_for("stove")] == ["gas"]

    _store(engine, _orders(40, start=40))
    second = mine_and_activate(engine, settings, CONFIG)  # as if another worker mined it
    assert provider.get() is loaded  # not re-checked before check_every has passed
    now[0] = 6.0
    fresh = provider.get()
    assert fresh is not None
    assert fresh.info.version == second.version
    assert fresh.info.summary["n_baskets"] == 80
    first_row = current_model(engine)
    assert first_row is not None
    assert first_row.version == second.version


def test_a_tampered_payload_is_refused(engine: Engine, settings: Settings) -> None:
    _store(engine, _orders(40))
    info = mine_and_activate(engine, settings, CONFIG)
    Path(info.payload_path).write_bytes(b"not a model")
    with pytest.raises(ValueError, match="checksum"):
        ModelProvider(engine).start()
