"""Planted experiment traffic for guardrail tests: a treatment that sells more yet is declined
far more often and drives customers to unsubscribe; refunds and ratings the same in both arms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from tactful.adapters.db.experiments import SqlExperimentStore
from tactful.adapters.db.feedback import SqlFeedbackStore
from tactful.adapters.db.guardrail_reads import SqlGuardrailReads
from tactful.adapters.db.measurement_reads import SqlMeasurementReads
from tactful.adapters.db.transaction import SqlDatabase
from tactful.domain.clock import FixedClock
from tactful.domain.customers import Consent, ConsentPurpose
from tactful.domain.experiments import Experiment, Variant
from tactful.domain.feedback import Feedback
from tactful.domain.offers import OfferResponse
from tactful.domain.refunds import OrderRefund, RefundStatus
from tactful.services.experiment_guardrails import ExperimentGuardrails
from tactful.services.experiments import ExperimentService
from tactful.services.ports.storage import Transaction
from tests.contracts.test_measurement_reads import decide, order, shown

START = datetime(2026, 5, 1, tzinfo=UTC)
NOW = START + timedelta(days=14)
CUSTOMERS = 400


def service(engine: Engine, moment: datetime) -> ExperimentService:
    """Experiments on `engine` with every guardrail wired, at `moment`."""
    return ExperimentService(
        SqlExperimentStore(engine),
        SqlMeasurementReads(engine),
        FixedClock(moment),
        guardrails=ExperimentGuardrails(SqlGuardrailReads(engine), SqlFeedbackStore(engine)),
    )


def plant(engine: Engine, *, harmful: bool = True) -> Experiment:
    """Start "pushy" (control vs pushy, 50/50) and store two weeks of its traffic.

    Every customer sees 4 offers and buys once. Counting each arm's customers in turn (`ranks`,
    so the shares are exact whatever the split): control customers decline 1 in 10 of them;
    pushy ones (when `harmful`) decline 6 in 10, spend twice as much, and 1 in 5 withdraws
    marketing email. 1 in 10 customers in each arm is refunded in full, and they rate 4 and 5 by
    turns. An opt-out and a 1-star rating (g0047) given before a customer's first decision are
    not theirs to count.
    """
    experiment = service(engine, START).create(
        "pushy offers", [Variant("control", 50), Variant("pushy", 50)]
    )
    database = SqlDatabase(engine)
    rank = ranks(experiment)
    with database.transaction() as tx:
        for number in range(CUSTOMERS):
            customer = f"g{number:04d}"
            pushy = harmful and experiment.variant_of(customer).name == "pushy"
            _customer(tx, customer, number, rank[customer], pushy)
    feedback = SqlFeedbackStore(engine)
    for number in range(CUSTOMERS):
        customer = f"g{number:04d}"
        rating = 4 + rank[customer] % 2
        feedback.add(_rating(f"f{number}", customer, rating, START + timedelta(days=3)))
    feedback.add(_rating("early", "g0047", 1, START + timedelta(minutes=30)))
    return experiment


def ranks(experiment: Experiment) -> dict[str, int]:
    """Each planted customer's place among the customers of their arm, from 0."""
    seen: dict[str, int] = {}
    found = {}
    for number in range(CUSTOMERS):
        customer = f"g{number:04d}"
        arm = experiment.variant_of(customer).name
        found[customer] = seen.get(arm, 0)
        seen[arm] = found[customer] + 1
    return found


def _customer(tx: Transaction, customer: str, number: int, rank: int, pushy: bool) -> None:
    at = START + timedelta(hours=1 + number % 48)
    offers = [shown(f"{customer}-{i}", customer, "cross_sell", "MUG", at) for i in range(4)]
    tx.offers.save_decisions(
        [decide(f"{customer}-{i}", customer, "cart", at, offers[i]) for i in range(4)]
    )
    declined = (rank % 10 < 6) if pushy else (rank % 10 == 0)
    if declined:
        for offer in offers:
            tx.offers.save_response(offer, OfferResponse.DECLINED, at=at + timedelta(minutes=1))
    price = 4000 if pushy else 2000
    tx.orders.insert_orders(
        [order(f"o-{customer}", customer, at + timedelta(days=1), ("MUG", 1, price))],
        source="api",
    )
    if rank % 10 == 3:
        tx.refunds.record_refund(
            OrderRefund(
                f"r-{customer}",
                f"o-{customer}",
                price,
                "GBP",
                "",
                RefundStatus.SUCCEEDED,
                None,
                None,
                at + timedelta(days=2),
            )
        )
    withdrawn = pushy and rank % 5 == 0
    early = number % 7 == 0
    if withdrawn or early:
        when = at + timedelta(days=2) if withdrawn else START + timedelta(minutes=5)
        tx.customers.record_consent(
            customer, Consent(ConsentPurpose.MARKETING_EMAIL, False, when, "test")
        )


def _rating(feedback_id: str, customer: str, rating: int, at: datetime) -> Feedback:
    return Feedback(feedback_id, f"o-{customer}", customer, rating, "", (), "api", at)
