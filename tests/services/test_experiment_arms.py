"""Decisions follow every setting of the customer's arms (headline, a real discount, format,
moments), log the arm they followed, and results count what was logged (SQLite and
PostgreSQL); held-out customers are in no experiment; arms are sticky across decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select

from tactful.adapters.db.experiments import SqlExperimentStore
from tactful.adapters.db.tables_measurement import decision_variants
from tactful.adapters.db.transaction import SqlDatabase
from tactful.domain.checkout import price_block
from tactful.domain.clock import FixedClock
from tactful.domain.experiments import Experiment, Variant, assign
from tactful.domain.money import Money
from tactful.domain.offers import CartLine, Decision, Moment, OfferPolicy
from tactful.services.checkout import EngineBump, engine_price
from tactful.services.decision_request import DecisionRequest
from tactful.services.decisions import DecisionService
from tactful.services.email_worker import next_mail
from tactful.services.experiment_policy import ExperimentPolicies, wait_multipliers
from tactful.services.experiments import ExperimentService, variant_lookup
from tactful.services.ports.storage import Database
from tactful.services.sequences import parse_text
from tests.services.experiment_wiring import ExperimentWiring, customer_in
from tests.services.measurement_wiring import measurement_reads
from tests.services.test_decisions import NOW, PEGS, TENT, product

CONTROL = Variant("control", 50)
TREATED = Variant("treated", 50, headline="plain", discount_percent=10, format="compact")


def decide(service: DecisionService, customer: str, moment: Moment = Moment.CART) -> Decision:
    request = DecisionRequest(customer_id=customer, moment=moment, cart=(CartLine(TENT),))
    return service.decide(request)


def logged(database: Database, experiment: Experiment) -> list[tuple[str, str]]:
    assert isinstance(database, SqlDatabase)
    query = select(decision_variants.c.customer_id, decision_variants.c.variant).where(
        decision_variants.c.experiment_id == experiment.experiment_id
    )
    with database.engine.connect() as connection:
        return sorted((row.customer_id, row.variant) for row in connection.execute(query))


def test_the_treated_arm_gets_a_plain_headline_a_real_discount_and_its_format(
    database: Database, experiment_wiring: ExperimentWiring
) -> None:
    experiments, service, _store = experiment_wiring
    created = experiments.create("framing", [CONTROL, TREATED], moments=["cart"])
    control, treated = customer_in(created, "control"), customer_in(created, "treated")
    plain, framed = decide(service, treated), decide(service, control)
    assert plain.offers
    assert framed.offers
    assert plain.presentation == "compact"
    assert framed.presentation is None
    assert plain.experiments == ((created.experiment_id, "treated"),)
    for offer in plain.offers:
        regular = next(o for o in framed.offers if o.sku == offer.sku).price.price
        assert offer.headline.startswith("Add ")
        assert offer.price.price.amount == regular.amount - regular.amount * 10 // 100
        assert offer.price.compare_at == regular  # the price really asked, not a made-up one
        assert offer.price.savings == regular - offer.price.price
    assert not any(o.headline.startswith("Add ") for o in framed.offers)
    assert decide(service, treated, Moment.CHECKOUT).experiments == ()  # not its moment
    assert logged(database, created) == sorted([(control, "control"), (treated, "treated")])


def test_held_out_customers_are_in_no_experiment(
    database: Database, experiment_wiring: ExperimentWiring
) -> None:
    experiments, service, _store = experiment_wiring
    created = experiments.create("framing", [CONTROL, TREATED])
    policy = OfferPolicy()
    held = next(
        c for n in range(10_000) if assign(c := f"h-{n}", policy.holdout_salt, policy.holdout_share)
    )
    decision = decide(service, held)
    assert decision.held_out
    assert decision.experiments == ()
    assert decision.presentation is None
    assert logged(database, created) == []


def test_results_count_the_variant_each_decision_logged(
    database: Database, experiment_wiring: ExperimentWiring
) -> None:
    experiments, service, _store = experiment_wiring
    created = experiments.create("framing", [CONTROL, TREATED])
    customer = customer_in(created, "control")
    decide(service, customer)
    later = ExperimentService(experiments.store, experiments.reads, FixedClock(NOW + timedelta(1)))
    assert later.results(created.experiment_id)["customers"] == {"control": 1, "treated": 0}
    assert isinstance(database, SqlDatabase)
    with database.engine.begin() as connection:  # say the decision had followed the other arm
        connection.execute(decision_variants.delete())
        row = {
            "decision_id": "dec_x",
            "experiment_id": created.experiment_id,
            "variant": "treated",
            "customer_id": customer,
            "at": NOW,
        }
        connection.execute(insert(decision_variants).values(**row))
    assert later.results(created.experiment_id)["customers"] == {"control": 0, "treated": 1}
    segment = variant_lookup(later)(created.experiment_id)  # segments read the log too
    assert segment(customer) == "treated"
    assert segment(customer_in(created, "treated")) == "treated"  # none logged: the hash


def test_the_wait_multiplier_follows_the_email_arm(experiment_wiring: ExperimentWiring) -> None:
    experiments, service, _store = experiment_wiring
    slower = Variant("slower", 50, wait_multiplier=2.0)
    created = experiments.create("timing", [CONTROL, slower], moments=["email"])
    scale = wait_multipliers(service.policy_for, service.policy)
    assert scale(customer_in(created, "slower")) == 2.0
    assert scale(customer_in(created, "control")) == 1.0


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(customers=st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=6, unique=True))
def test_arms_are_sticky_across_decisions(database: Database, customers: list[str]) -> None:
    if not isinstance(database, SqlDatabase):
        pytest.skip("experiments are stored in SQL only")
    store = SqlExperimentStore(database.engine)
    policies = ExperimentPolicies(store, refresh=3600)
    if not store.all():
        service = ExperimentService(store, measurement_reads(database), FixedClock(NOW))
        service.create("framing", [CONTROL, TREATED], traffic=50)
    base = OfferPolicy()
    for customer in customers:
        first = policies.arms(customer, "cart", base)
        assert policies.arms(customer, "cart", base) == first
        assert ExperimentPolicies(store).arms(customer, "cart", base) == first  # another process


def test_a_wait_multiplier_stretches_the_sequence_wait() -> None:
    text = """\
sequences:
  - id: timing
    trigger: {type: order_placed, kind: digital}
    quiet_hours: "00:00-00:00"
    steps:
      - value: {template: tips, subject: "Hello"}
      - wait: 2d
      - value: {template: tips, subject: "Again"}
    exit: [unsubscribe]
"""
    [sequence] = parse_text(text, "t.yaml")
    sent = datetime(2026, 3, 2, 12, tzinfo=UTC)
    plain = next_mail(sequence, "k", "c", 0, sent, "UTC")
    slower = next_mail(sequence, "k", "c", 0, sent, "UTC", 1.5)
    assert plain is not None
    assert slower is not None
    assert plain.due_at == sent + timedelta(days=2)
    assert slower.due_at == sent + timedelta(days=3)


def test_hosted_checkout_charges_an_engine_discount_and_never_a_raise() -> None:
    pegs = product(PEGS, 900)
    cut = EngineBump(PEGS, price=Money(810, "GBP"))
    assert engine_price(cut, pegs) == Money(810, "GBP")
    block = price_block(pegs, [], NOW, engine_price(cut, pegs))
    assert block.price == Money(810, "GBP")  # what the page shows and the payment charges
    assert block.compare_at is None  # a link's or arm's own price shows no 'was' price
    for same_or_more in (Money(900, "GBP"), Money(990, "GBP"), Money(810, "EUR"), None):
        assert engine_price(EngineBump(PEGS, price=same_or_more), pegs) is None
