"""Decisions apply the policy of the customer's experiment arm, under the global holdout, and
the configured policy again once the experiment stops (SQLite and PostgreSQL)."""

from __future__ import annotations

from tactful.domain.experiments import Variant
from tactful.domain.offers import CartLine, Moment
from tactful.services.decision_request import DecisionRequest
from tactful.services.decisions import DecisionService
from tactful.services.experiments import StopRequest
from tests.services.experiment_wiring import ExperimentWiring, customer_in
from tests.services.test_decisions import TENT


def offers_for(service: DecisionService, customer: str) -> int:
    request = DecisionRequest(customer_id=customer, moment=Moment.CART, cart=(CartLine(TENT),))
    return len(service.decide(request).offers)


def test_an_arm_without_offers_shows_none_until_the_experiment_stops(
    experiment_wiring: ExperimentWiring,
) -> None:
    experiments, service, _store = experiment_wiring
    created = experiments.create(
        "offers or none", [Variant("control", 50), Variant("none", 50, max_offers=0)]
    )
    silent, shown = customer_in(created, "none"), customer_in(created, "control")
    assert offers_for(service, silent) == 0
    assert offers_for(service, shown) >= 1
    experiments.stop(created.experiment_id, StopRequest("keep_control", "no offers lost", "t"))
    assert offers_for(service, customer_in(created, "none")) >= 1
