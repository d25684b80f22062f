"""Mining a version from stored orders, activating it, and swapping it in a running process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine

from tactful.adapters.db.repositories.models import NpzModelPayloads
from tactful.adapters.db.repositories.orders import insert_orders, read_baskets
from tactful.adapters.db.transaction import SqlDatabase
from tactful.adapters.memory import MemoryDatabase
from tactful.adapters.memory.models import MemoryModelPayloads
from tactful.domain.affinity import MiningConfig
from tactful.domain.affinity.ranking import (
    CoOccurrence,
    Ranking,
    TactfulWeights,
    recommend,
    scorer,
)
from tactful.domain.catalog import Sku
from tactful.domain.money import Money
from tactful.domain.orders import Order, OrderId, OrderLine
from tactful.services.models import (
    ModelProvider,
    ModelStorage,
    NoOrdersError,
    current_model,
    load_active,
    mine_and_activate,
    mine_baskets,
    save_model,
)
from tactful.settings import Settings

CONFIG = MiningConfig(min_support=0.05, min_confidence=0.2, min_cooccurrence=1)


def storage_of(engine: Engine) -> ModelStorage:
    """Model versions on the test's database, payload files in its data dir."""
    return ModelStorage(SqlDatabase(engine), NpzModelPayloads())


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
        mine_and_activate(storage_of(engine), settings, CONFIG)
    assert current_model(storage_of(engine)) is None


def test_mine_activates_a_version_with_its_file(engine: Engine, settings: Settings) -> None:
    _store(engine, _orders(40))
    info = mine_and_activate(storage_of(engine), settings, CONFIG)
    assert info.status == "active"
    assert Path(info.payload_path).is_file()
    assert Path(info.payload_path).parent == (settings.data_dir / "models").resolve()
    assert info.summary["n_baskets"] == 40
    assert info.params["mining"]["min_support"] == 0.05
    assert info.window_start is not None
    assert info.window_end is not None
    current = current_model(storage_of(engine))
    assert current is not None
    assert current.version == info.version


def test_provider_loads_at_start_and_picks_up_new_versions(
    engine: Engine, settings: Settings
) -> None:
    _store(engine, _orders(40))
    first = mine_and_activate(storage_of(engine), settings, CONFIG)
    now = [0.0]
    provider = ModelProvider(storage_of(engine), check_every=5.0, clock=lambda: now[0])
    loaded = provider.start()
    assert loaded is not None
    assert loaded.info.version == first.version
    assert recommend(loaded.scorer, ["tent"], 1)[0][0] == "pegs"
    assert [r.consequent for r in loaded.model.rules_for("stove")] == ["gas"]

    _store(engine, _orders(40, start=40))
    second = mine_and_activate(
        storage_of(engine), settings, CONFIG
    )  # as if another worker mined it
    assert provider.get() is loaded  # not re-checked before check_every has passed
    now[0] = 6.0
    fresh = provider.get()
    assert fresh is not None
    assert fresh.info.version == second.version
    assert fresh.info.summary["n_baskets"] == 80
    first_row = current_model(storage_of(engine))
    assert first_row is not None
    assert first_row.version == second.version


def test_a_tampered_payload_is_refused(engine: Engine, settings: Settings) -> None:
    _store(engine, _orders(40))
    info = mine_and_activate(storage_of(engine), settings, CONFIG)
    Path(info.payload_path).write_bytes(b"not a model")
    with pytest.raises(ValueError, match="checksum"):
        ModelProvider(storage_of(engine)).start()


def _random_orders(n: int, seed: int = 7) -> list[Order]:
    """Two overlapping families of items plus noise, so the ridge has something to weigh."""
    rng = np.random.default_rng(seed)
    families = [[f"a{i}" for i in range(6)], [f"b{i}" for i in range(6)]]
    noise = [f"n{i}" for i in range(8)]
    at = datetime(2024, 1, 1, tzinfo=UTC)
    orders = []
    for i in range(n):
        family = families[int(rng.integers(2))]
        size = int(rng.integers(1, 5))
        skus = set(rng.choice(family, size=size, replace=False).tolist())
        if rng.random() < 0.4:
            skus.add(str(rng.choice(noise)))
        lines = tuple(OrderLine(Sku(s), 1, Money(500, "GBP")) for s in sorted(skus))
        orders.append(Order(OrderId(f"r{i}"), at + timedelta(hours=i), lines))
    return orders


CARTS = [[], ["a0"], ["a0", "a1"], ["b2", "n3"], ["a5", "b5"], ["n0"], ["unknown"]]


def test_served_ranking_is_the_ridge_that_is_measured(engine: Engine, settings: Settings) -> None:
    _store(engine, _random_orders(240))
    provider = ModelProvider(storage_of(engine), check_every=1e9, clock=lambda: 0.0)
    info = mine_and_activate(storage_of(engine), settings, CONFIG, provider=provider)
    in_memory = provider.get()
    reloaded = load_active(storage_of(engine))
    assert in_memory is not None
    assert reloaded is not None
    assert reloaded.ranking is not None
    with engine.connect() as conn:
        full = CoOccurrence.from_baskets(read_baskets(conn))
    measured = scorer(full, Ranking.TACTFUL, TactfulWeights(**info.params["ranking"]))
    for cart in CARTS:
        expected = recommend(measured, cart, 5)
        assert len(expected) == 5
        for served in (in_memory, reloaded):
            got = recommend(served.scorer, cart, 5)
            assert [sku for sku, _ in got] == [sku for sku, _ in expected]
            assert np.allclose([s for _, s in got], [s for _, s in expected])


def test_the_ridge_differs_from_the_pruned_fallback(engine: Engine, settings: Settings) -> None:
    _store(engine, _random_orders(240))
    mine_and_activate(storage_of(engine), settings, CONFIG)
    loaded = load_active(storage_of(engine))
    assert loaded is not None
    pruned = scorer(CoOccurrence.from_model(loaded.model), Ranking.TACTFUL)
    served = loaded.addon_scores(["a0"])
    fallback = recommend(pruned, ["a0"], len(served))
    assert not np.allclose([served[sku] for sku, _ in fallback], [s for _, s in fallback])


def test_addon_scores_cover_every_item_but_the_cart(engine: Engine, settings: Settings) -> None:
    _store(engine, _random_orders(120))
    mine_and_activate(storage_of(engine), settings, CONFIG)
    loaded = load_active(storage_of(engine))
    assert loaded is not None
    scores = loaded.addon_scores(["a0", "a1", "nope"])
    assert set(scores) == set(loaded.model.items) - {"a0", "a1"}
    best = max(scores, key=lambda sku: scores[sku])
    assert recommend(loaded.scorer, ["a0", "a1"], 1)[0][0] == best


def test_a_payload_without_ranking_weights_still_loads(engine: Engine, settings: Settings) -> None:
    _store(engine, _orders(40))
    with engine.connect() as conn:
        baskets = read_baskets(conn)
    model, weights, _ = mine_baskets(baskets, CONFIG)
    save_model(
        storage_of(engine), settings, model, weights
    )  # as written before the weights were kept
    loaded = load_active(storage_of(engine))
    assert loaded is not None
    assert loaded.ranking is None
    fallback = scorer(CoOccurrence.from_model(model), Ranking.TACTFUL, weights)
    assert recommend(loaded.scorer, ["tent"], 3) == recommend(fallback, ["tent"], 3)
    assert recommend(loaded.scorer, ["tent"], 1)[0][0] == "pegs"


def test_models_mine_and_load_on_the_memory_storage(settings: Settings) -> None:
    """The service needs only its ports: the memory database and payloads serve as well."""
    database = MemoryDatabase()
    with database.transaction() as tx:
        tx.orders.insert_orders(_orders(40), source="test")
    storage = ModelStorage(database, MemoryModelPayloads())
    provider = ModelProvider(storage, check_every=0.0)
    info = mine_and_activate(storage, settings, CONFIG)
    loaded = provider.get()
    assert loaded is not None
    assert loaded.info == current_model(storage) == info
    assert recommend(loaded.scorer, ["tent"], 1)[0][0] == "pegs"
