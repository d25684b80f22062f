"""`SqlGuardrailReads` on SQLite and PostgreSQL: offers shown and declined per customer in the
span (an offer declined and then dismissed counts once), and first marketing-email opt-outs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from tactful.adapters.db.guardrail_reads import SqlGuardrailReads
from tactful.adapters.db.transaction import SqlDatabase
from tactful.domain.customers import Consent, ConsentPurpose
from tactful.domain.offers import OfferResponse
from tactful.services.ports.guardrails import OfferAnswers, OptOut
from tests.contracts.test_measurement_reads import SINCE, T0, UNTIL, decide, shown


def test_offers_and_opt_outs_per_customer_in_the_span(engine: Engine) -> None:
    ann = [shown(f"a{i}", "ann", "cross_sell", "MUG", T0 + timedelta(hours=i)) for i in range(3)]
    early = shown("b0", "bob", "upsell", "PRO", SINCE - timedelta(days=1))
    late = shown("b1", "bob", "upsell", "PRO", T0)
    offers = [*ann, early, late]
    with SqlDatabase(engine).transaction() as tx:
        tx.offers.save_decisions(
            [decide(o.decision_id, o.customer_id, "cart", o.at, o) for o in offers]
        )
        tx.offers.save_response(ann[0], OfferResponse.DECLINED, at=T0 + timedelta(minutes=1))
        tx.offers.save_response(ann[0], OfferResponse.DISMISSED, at=T0 + timedelta(minutes=2))
        tx.offers.save_response(ann[1], OfferResponse.ACCEPTED, at=T0 + timedelta(hours=1))
        tx.offers.save_response(early, OfferResponse.DECLINED, at=early.at)
        email = ConsentPurpose.MARKETING_EMAIL
        for customer, consent in (
            ("ann", Consent(email, False, T0 + timedelta(days=1), "test")),
            ("ann", Consent(email, True, T0 + timedelta(days=2), "test")),
            ("ann", Consent(email, False, T0 + timedelta(days=3), "test")),
            ("bob", Consent(ConsentPurpose.ONSITE_OFFERS, False, T0, "test")),
            ("cat", Consent(email, True, T0, "test")),
            ("dan", Consent(email, False, SINCE - timedelta(hours=1), "test")),
        ):
            tx.customers.record_consent(customer, consent)
    reads = SqlGuardrailReads(engine)
    answers = sorted(reads.offer_answers(since=SINCE, until=UNTIL))
    assert answers == [OfferAnswers("ann", 3, 1), OfferAnswers("bob", 1, 0)]
    assert reads.opt_outs(since=SINCE, until=UNTIL) == [OptOut("ann", T0 + timedelta(days=1))]
