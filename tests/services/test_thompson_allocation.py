"""Thompson allocation on real parts: the offer log's counts per offer key (SQLite, PostgreSQL,
memory), and an experiment arm that opts in, learning from stored responses (SQL)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from itertools import count

import pytest

from tactful.domain.clock import FixedClock
from tactful.domain.experiments import Experiment, Variant, assign
from tactful.domain.offers import CartLine, Moment, OfferPolicy, OfferResponse
from tactful.domain.offers.thompson import ArmCounts
from tactful.services.decision_request import DecisionRequest
from tactful.services.decisions import ActiveModel, DecisionService
from tactful.services.experiment_policy import ExperimentPolicies
from tactful.services.offer_allocation import ArmCountCache
from tactful.services.ports.storage import Database
from tests.services.experiment_wiring import ExperimentWiring
from tests.services.test_decisions import AFFINITY, LAMP, NOW, PEGS, TENT, four_product_service
from tests.services.wiring import decision_service

LAMP_KEY, PEGS_KEY = f"cross_sell:{LAMP}:{TENT}", f"cross_sell:{PEGS}:{TENT}"


def _treated(prefix: str, how_many: int) -> list[str]:
    policy = OfferPolicy()
    found = (f"{prefix}-{n}" for n in count())
    treated = (c for c in found if not assign(c, policy.holdout_salt, policy.holdout_share))
    return [next(treated) for _ in range(how_many)]


@pytest.fixture
def service(database: Database) -> DecisionService:
    """The ranked decision service over test_decisions' four products."""
    return four_product_service(database)


def _teach(service: DecisionService, customers: list[str]) -> None:
    """Every customer is shown the pegs and the lamp, declines the pegs, takes the lamp."""
    for customer in customers:
        request = DecisionRequest(customer_id=customer, moment=Moment.CART, cart=(CartLine(TENT),))
        decision = service.decide(request)
        for offer in decision.offers:
            took = offer.sku == LAMP
            answer = OfferResponse.ACCEPTED if took else OfferResponse.DECLINED
            service.respond(decision.decision_id, offer.offer_id, answer)


def test_the_offer_log_counts_shown_and_accepted_per_offer_key(
    service: DecisionService, database: Database
) -> None:
    _teach(service, _treated("count", 6))
    with database.transaction() as tx:
        counts = tx.offers.arm_counts(since=NOW - timedelta(days=1))
        later = tx.offers.arm_counts(since=NOW + timedelta(seconds=1))
    assert counts == {LAMP_KEY: ArmCounts(6, 6), PEGS_KEY: ArmCounts(6, 0)}
    assert later == {}


def test_an_arm_that_opts_in_leads_with_what_customers_accept(
    experiment_wiring: ExperimentWiring, database: Database
) -> None:
    experiments, taught, store = experiment_wiring
    _teach(taught, _treated("teach", 30))
    created = experiments.create(
        "ranked or thompson",
        [
            Variant("control", 50, max_offers=1),
            Variant("bandit", 50, max_offers=1, allocation="thompson"),
        ],
    )
    assert store.get(created.experiment_id) == created
    active = ActiveModel(AFFINITY, "v-test")
    service = decision_service(
        database,
        model=lambda: active,
        clock=FixedClock(NOW),
        policy_for=ExperimentPolicies(store, refresh=3600),
        arm_counts=ArmCountCache(database, FixedClock(NOW), run=_at_once),
    )
    assert _leads(service, created, "control") == {str(PEGS): 40}
    leads = _leads(service, created, "bandit")
    assert leads.get(str(LAMP), 0) >= 32, leads


def _leads(service: DecisionService, experiment: Experiment, arm: str) -> dict[str, int]:
    """What 40 customers of `arm` are shown first (by first offer SKU)."""
    shown: dict[str, int] = {}
    customers = (c for c in _treated(f"lead-{arm}", 400) if experiment.variant_of(c).name == arm)
    for customer in list(customers)[:40]:
        request = DecisionRequest(customer_id=customer, moment=Moment.CART, cart=(CartLine(TENT),))
        (offer,) = service.decide(request).offers
        shown[offer.sku] = shown.get(offer.sku, 0) + 1
    return shown


def _at_once(read: Callable[[], None]) -> None:
    read()


def test_the_count_cache_reads_once_per_refresh(
    service: DecisionService, database: Database
) -> None:
    seconds = [0.0]
    cache = ArmCountCache(
        database, FixedClock(NOW), refresh=60.0, monotonic=lambda: seconds[0], run=_at_once
    )
    assert cache() == {}
    _teach(service, _treated("cache", 2))
    seconds[0] = 59.0
    assert cache() == {}
    seconds[0] = 60.0
    assert cache() == {LAMP_KEY: ArmCounts(2, 2), PEGS_KEY: ArmCounts(2, 0)}


def test_the_count_cache_reads_off_the_decision_path(
    service: DecisionService, database: Database
) -> None:
    _teach(service, _treated("thread", 3))
    started: list[Callable[[], None]] = []
    deferred = ArmCountCache(database, FixedClock(NOW), run=started.append)
    assert deferred() == {}  # the caller does not wait for the read it started
    assert deferred() == {}  # nor starts a second one while it runs
    assert len(started) == 1
    threaded = ArmCountCache(database, FixedClock(NOW))
    deadline = time.monotonic() + 10
    while not threaded() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert threaded() == {LAMP_KEY: ArmCounts(3, 3), PEGS_KEY: ArmCounts(3, 0)}
