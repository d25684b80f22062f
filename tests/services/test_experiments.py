"""Experiment results over stored traffic (SQLite and PostgreSQL): every treated customer of
the run lands in the arm their hash names, the held-out ones in none, with intervals drawn."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tactful.adapters.db.experiments import SqlExperimentStore
from tactful.adapters.db.transaction import SqlDatabase
from tactful.domain.clock import FixedClock
from tactful.domain.experiments import Variant
from tactful.services.experiments import ExperimentService, StopRequest, UnknownExperimentError
from tactful.services.ports.storage import Database
from tactful.services.reports import ReportService
from tactful.services.simulation import SimulationRequest, SimulationService
from tests.services.history_wiring import history_reads
from tests.services.measurement_wiring import measurement_reads

NOW = datetime(2026, 3, 1, tzinfo=UTC)
START = NOW - timedelta(days=14)
REQUEST = SimulationRequest(days=14, customers=300, uplift=0.2, seed=5)


def experiments_at(database: Database, moment: datetime) -> ExperimentService:
    if not isinstance(database, SqlDatabase):
        pytest.skip("experiments are stored in SQL only")
    store = SqlExperimentStore(database.engine)
    return ExperimentService(store, measurement_reads(database), FixedClock(moment))


def test_results_split_the_treated_customers_by_their_hash(database: Database) -> None:
    created = experiments_at(database, START).create(
        "one offer or two", [Variant("control", 50), Variant("one_offer", 50, max_offers=1)]
    )
    SimulationService(database, history_reads(database), FixedClock(NOW), holdout_share=0.2).run(
        REQUEST
    )
    service = experiments_at(database, NOW)
    found = service.results(created.experiment_id)
    overview = ReportService(measurement_reads(database), FixedClock(NOW), holdout_share=0.2)
    treated = overview.overview(since=START, until=NOW)["customers"]["treated"]
    assert sum(found["customers"].values()) == treated
    assert min(found["customers"].values()) > 0.35 * treated
    (compared,) = found["results"]
    assert compared["variant"] == "one_offer"
    assert compared["status"] == "ok"
    revenue = compared["revenue_per_customer"]
    assert revenue["ci_low"] <= revenue["estimate"] <= revenue["ci_high"]
    assert revenue["estimate"] == pytest.approx(revenue["variant"] - revenue["control"], abs=0.02)
    assert 0 <= found["srm_p_value"] <= 1
    assert compared["conversion"]["control"] is not None


def test_a_stopped_experiment_stays_readable(database: Database) -> None:
    created = experiments_at(database, START).create(
        "ab", [Variant("control", 30), Variant("b", 70)]
    )
    stopped = experiments_at(database, NOW).stop(
        created.experiment_id, StopRequest("inconclusive", "too few customers", "test")
    )
    assert stopped.status == "stopped"
    assert stopped.stopped_at == NOW
    again = experiments_at(database, NOW + timedelta(days=1)).stop(
        created.experiment_id, StopRequest("keep_control", "again", "test")
    )
    assert again.stopped_at == NOW
    found = experiments_at(database, NOW).results(created.experiment_id)
    assert found["results"][0]["status"] == "not_enough_data"
    assert [e.experiment_id for e in experiments_at(database, NOW).all()] == [created.experiment_id]
    with pytest.raises(UnknownExperimentError):
        experiments_at(database, NOW).results("exp_missing")
