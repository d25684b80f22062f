"""The offer engine at moment `email`: decided as of the send time, logged like any decision."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from tactful.domain.clock import FixedClock
from tactful.domain.offers import Moment, Offer
from tactful.services.decision_request import ContextIn, DecisionRequest
from tactful.services.decisions import DecisionService


class EngineEmailOffers:
    """The `EmailOffers` port on the decision service; the contact budget is the engine's."""

    def __init__(self, decisions: DecisionService) -> None:
        self.decisions = decisions

    def offers(self, customer_id: str, now: datetime, limit: int) -> list[Offer]:
        """At most `limit` offers for the customer as of `now` (none is a fine answer)."""
        service = dataclasses.replace(self.decisions, clock=FixedClock(now))
        request = DecisionRequest(
            customer_id=customer_id, moment=Moment.EMAIL, context=ContextIn(channel="email")
        )
        return list(service.decide(request).offers[:limit])

    def preview(self, customer_id: str, now: datetime, limit: int) -> list[Offer]:
        """The offers the customer would get at `now`, decided without logging anything."""
        service = dataclasses.replace(self.decisions, clock=FixedClock(now))
        request = DecisionRequest(
            customer_id=customer_id, moment=Moment.EMAIL, context=ContextIn(channel="email")
        )
        decision, _record = service.decide_offers(request)
        return list(decision.offers[:limit])
