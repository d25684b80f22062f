"""Fixtures of the service tests."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tactful.adapters.db.experiments import SqlExperimentStore
from tactful.adapters.db.transaction import SqlDatabase
from tactful.domain.clock import FixedClock
from tactful.services.decisions import ActiveModel
from tactful.services.experiment_policy import ExperimentPolicies
from tactful.services.experiments import ExperimentService
from tactful.services.ports.storage import Database
from tests.services.experiment_wiring import ExperimentWiring
from tests.services.measurement_wiring import measurement_reads
from tests.services.test_decisions import AFFINITY, LAMP, MUG, NOW, PEGS, TENT, product
from tests.services.wiring import decision_service


@pytest.fixture
def experiment_wiring(database: Database) -> ExperimentWiring:
    """Experiments and decisions over the four products of test_decisions (SQL only)."""
    if not isinstance(database, SqlDatabase):
        pytest.skip("experiments are stored in SQL only")
    with database.transaction() as tx:
        tx.catalog.upsert_products(
            [product(TENT, 20000), product(PEGS, 900), product(LAMP, 2500), product(MUG, 700)],
            at=NOW - timedelta(days=90),
        )
    store = SqlExperimentStore(database.engine)
    policies = ExperimentPolicies(store, refresh=3600)
    experiments = ExperimentService(
        store, measurement_reads(database), FixedClock(NOW), changed=policies.forget
    )
    active = ActiveModel(AFFINITY, "v-test")
    service = decision_service(
        database, model=lambda: active, clock=FixedClock(NOW), policy_for=policies
    )
    return ExperimentWiring(experiments, service, store)
