"""`GuardrailReads` on SQL: offers shown and declined per customer, and email opt-outs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, case, exists, func, select

from tactful.adapters.db.repositories._common import utc
from tactful.adapters.db.tables import consents
from tactful.adapters.db.tables_offers import offer_impressions, offer_responses
from tactful.domain.customers import ConsentPurpose
from tactful.domain.offers import OfferResponse
from tactful.services.ports.guardrails import OfferAnswers, OptOut

__all__ = ["SqlGuardrailReads"]


class SqlGuardrailReads:
    """`tactful.services.ports.guardrails.GuardrailReads` on a SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def offer_answers(self, *, since: datetime, until: datetime) -> list[OfferAnswers]:
        i, r = offer_impressions, offer_responses
        declined = exists().where(
            r.c.decision_id == i.c.decision_id,
            r.c.offer_id == i.c.offer_id,
            r.c.response == OfferResponse.DECLINED.value,
        )
        query = (
            select(i.c.customer_id, func.count(), func.sum(case((declined, 1), else_=0)))
            .where(i.c.at >= utc(since), i.c.at < utc(until))
            .group_by(i.c.customer_id)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [OfferAnswers(customer, int(shown), int(no or 0)) for customer, shown, no in rows]

    def opt_outs(self, *, since: datetime, until: datetime) -> list[OptOut]:
        c = consents.c
        query = (
            select(c.customer_id, func.min(c.at))
            .where(c.purpose == ConsentPurpose.MARKETING_EMAIL.value, c.granted.is_(False))
            .where(c.at >= utc(since), c.at < utc(until))
            .group_by(c.customer_id)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [OptOut(customer, utc(at)) for customer, at in rows]
