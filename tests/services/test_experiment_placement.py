"""Placing experiments in a layer is atomic (SQLite and PostgreSQL): many creates racing for
the same layer, each through its own engine as separate processes would, never get
overlapping slices, and exactly as many fit as the layer has room for."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from itertools import pairwise

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.experiments import SqlExperimentStore
from tactful.adapters.db.transaction import SqlDatabase
from tactful.domain.clock import FixedClock
from tactful.domain.experiments import Experiment, LayerConflictError, Variant
from tactful.services.experiments import ExperimentService
from tests.services.measurement_wiring import measurement_reads

NOW = datetime(2026, 3, 1, tzinfo=UTC)
RACERS = 8
TRAFFIC = 30  # three fit in a layer of 100


def _race(database_url: str, create: str) -> list[Experiment | LayerConflictError]:
    """Every racer builds its service, waits for the others, then creates at once."""
    barrier = threading.Barrier(RACERS)

    def one(index: int) -> Experiment | LayerConflictError:
        engine = build_engine(database_url)
        try:
            store = SqlExperimentStore(engine)
            service = ExperimentService(
                store, measurement_reads(SqlDatabase(engine)), FixedClock(NOW)
            )
            variants = [Variant("control", 50), Variant("b", 50, max_offers=1)]
            draft = service.draft(f"racer {index}", variants, layer="cart", traffic=TRAFFIC)
            service.running()  # a first query, so each racer's connection is open
            barrier.wait()
            try:
                if create == "create_all":
                    return service.create_all([draft])[0]
                return service.create(draft.name, variants, layer="cart", traffic=TRAFFIC)
            except LayerConflictError as error:
                return error
        finally:
            engine.dispose()

    with ThreadPoolExecutor(RACERS) as pool:
        return list(pool.map(one, range(RACERS)))


def _assert_disjoint(database_url: str, outcomes: list[Experiment | LayerConflictError]) -> None:
    placed = [o for o in outcomes if isinstance(o, Experiment)]
    assert len(placed) == 100 // TRAFFIC
    assert len(outcomes) - len(placed) == RACERS - 100 // TRAFFIC
    engine = build_engine(database_url)
    stored = [e for e in SqlExperimentStore(engine).all() if e.layer == "cart"]
    engine.dispose()
    assert sorted(e.experiment_id for e in stored) == sorted(e.experiment_id for e in placed)
    slices = sorted((e.traffic_start, e.traffic_start + e.traffic) for e in stored)
    for (_, high), (low, _) in pairwise(slices):
        assert high <= low, slices


def test_racing_creates_get_disjoint_slices(database_url: str) -> None:
    _assert_disjoint(database_url, _race(database_url, "create"))


def test_racing_batch_creates_get_disjoint_slices(database_url: str) -> None:
    _assert_disjoint(database_url, _race(database_url, "create_all"))
