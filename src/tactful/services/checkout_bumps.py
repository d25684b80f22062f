"""Order bumps 'from the offer engine': ask the decisions service at the checkout moment."""

from __future__ import annotations

from collections.abc import Sequence

from tactful.domain.catalog import Sku
from tactful.domain.checkout import CheckoutPage
from tactful.domain.offers.inputs import CartLine
from tactful.domain.offers.moments import Moment
from tactful.services.checkout import BumpSource, EngineBump
from tactful.services.decision_request import ContextIn, DecisionRequest
from tactful.services.decisions import DecisionService


def engine_bumps(service: DecisionService) -> BumpSource:
    """A BumpSource backed by the offer engine (respect policy, cooldowns, holdout included)."""

    def source(
        _page: CheckoutPage, skus: Sequence[str], customer_id: str | None
    ) -> list[EngineBump]:
        request = DecisionRequest(
            customer_id=customer_id or "guest",
            moment=Moment.CHECKOUT,
            cart=[CartLine(Sku(sku)) for sku in skus],
            context=ContextIn(channel="checkout"),
        )
        decision = service.decide(request)
        return [
            EngineBump(offer.sku, offer.headline, offer.reason, offer.offer_id, offer.price.price)
            for offer in decision.offers
            if not offer.preselected
        ]

    return source
