"""What the one-click offer pages are made of: an order's funnel, the offer shown, the receipt."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tactful.domain.catalog import Product
from tactful.domain.checkout import (
    ChargeRecord,
    CheckoutOrder,
    CheckoutPage,
    OfferAnswer,
    OfferSpec,
    PriceBlock,
    PricedLine,
    Response,
    Slot,
    Totals,
    totals,
)
from tactful.domain.money import Money
from tactful.domain.orders import Order


@dataclass(frozen=True, slots=True)
class Funnel:
    """An order's checkout state: its page, lines and answered offers."""

    page: CheckoutPage
    checkout: CheckoutOrder
    order: Order
    answers: dict[str, OfferAnswer]
    dropped: frozenset[str] = frozenset()

    @property
    def responses(self) -> dict[str, Response]:
        """Final answers by slot code; a pending claim counts as not answered yet."""
        prefix = f"{self.order.order_id}-"
        return {
            offer_id.removeprefix(prefix): Response(a.status)
            for offer_id, a in self.answers.items()
            if a.status != "pending"
        }

    @property
    def totals(self) -> Totals:
        """What the order adds up to, tax as the page shows it."""
        lines = [PricedLine(x.sku, x.sku, x.quantity, x.unit_price) for x in self.order.lines]
        return totals(lines, self.page.tax, self.page.currency)


@dataclass(frozen=True, slots=True)
class OfferView:
    """The one offer shown now, with the card it would charge."""

    funnel: Funnel
    slot: Slot
    offer_id: str
    spec: OfferSpec
    product: Product
    block: PriceBlock
    charge: Money
    card_label: str
    closes_at: datetime
    total_after: Money
    names: dict[str, str] = field(default_factory=dict)  # of the order's lines, for the page


@dataclass(frozen=True, slots=True)
class Receipt:
    """The thank-you page: every line, the totals and the charges."""

    funnel: Funnel
    names: dict[str, str]
    charges: list[ChargeRecord]
    card_label: str
    offers_closed: bool


__all__ = ["Funnel", "OfferView", "Receipt"]
