"""Decisions apply the policy of the customer's experiment arm, under the global holdout, and
the configured policy again once the experiment stops (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest

from tactful.adapters.db.experiments import SqlExperimentStore
from tactful.adapters.db.transaction import SqlDatabase
from tactful.domain.clock import FixedClock
from tactful.domain.experiments import Experiment, Variant, assign
from tactful.domain.offers import CartLine, Moment, OfferPolicy
from tactful.services.decision_request import DecisionRequest
from tactful.services.decisions import ActiveModel, DecisionService
from tactful.services.experiment_policy import ExperimentPolicies
from tactful.services.experiments import ExperimentService, StopRequest
from tactful.services.ports import Database
from tests.services.measurement_wiring import measurement_reads
from tests.services.test_decisions import AFFINITY, LAMP, MUG, NOW, PEGS, TENT, product
from tests.services.wiring import decision_service


def customer_in(experiment: Experiment, arm: str) -> str:
    policy = OfferPolicy()
    for n in count():
        candidate = f"exp-{n}"
        held = assign(candidate, policy.holdout_salt, policy.holdout_share)
        if not held and experiment.variant_of(candidate).name == arm:
            return candidate
    raise AssertionError("unreachable")


def offers_for(service: DecisionService, customer: str) -> int:
    request = DecisionRequest(customer_id=customer, moment=Moment.CART, cart=(CartLine(TENT),))
    return len(service.decide(request).offers)


def test_an_arm_without_offers_shows_none_until_the_experiment_stops(database: Database) -> None:
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
    created = experiments.create(
        "offers or none", [Variant("control", 50), Variant("none", 50, max_offers=0)]
    )
    silent, shown = customer_in(created, "none"), customer_in(created, "control")
    assert offers_for(service, silent) == 0
    assert offers_for(service, shown) >= 1
    experiments.stop(created.experiment_id, StopRequest("keep_control", "no offers lost", "t"))
    assert offers_for(service, customer_in(created, "none")) >= 1
