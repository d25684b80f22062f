"""The post-purchase funnel: offer -> accept/decline -> downsell -> next -> thank you."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from tactful.domain.catalog import Product
from tactful.domain.checkout.pages import CheckoutPage, OfferSpec
from tactful.domain.orders import LineSource


class Response(StrEnum):
    """How a one-click offer ended."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    FAILED = "failed"


class SlotKind(StrEnum):
    """Whether a slot is the upsell of a step or its downsell."""

    UPSELL = "u"
    DOWNSELL = "d"


class Refusal(StrEnum):
    """Why an accept or decline is not carried out (reason codes)."""

    EXPIRED = "offer_expired"
    NOT_CURRENT = "offer_not_available"
    UNKNOWN = "offer_unknown"


@dataclass(frozen=True, slots=True)
class Slot:
    """One offer position of the funnel: step n (1-based), upsell or downsell."""

    step: int
    kind: SlotKind

    @property
    def code(self) -> str:
        """Short code such as 'u1' or 'd2', the suffix of the offer id."""
        return f"{self.kind.value}{self.step}"

    @property
    def source(self) -> LineSource:
        """The order-line source an accepted offer records."""
        return LineSource.UPSELL if self.kind is SlotKind.UPSELL else LineSource.DOWNSELL

    def offer_id(self, order_id: str) -> str:
        """The offer id, unique across orders."""
        return f"{order_id}-{self.code}"


def _small_number(text: str) -> bool:
    """1 to 4 ASCII digits: int() refuses '²' and numbers of thousands of digits."""
    return 0 < len(text) <= 4 and text.isascii() and text.isdigit()


def parse_slot(page: CheckoutPage, order_id: str, offer_id: str) -> Slot | None:
    """The slot an offer id names on `page`, or None if it names none."""
    prefix = f"{order_id}-"
    if not offer_id.startswith(prefix):
        return None
    code = offer_id[len(prefix) :]
    if len(code) < 2 or code[0] not in "ud" or not _small_number(code[1:]):
        return None
    slot = Slot(int(code[1:]), SlotKind(code[0]))
    return slot if offer_for(page, slot) is not None else None


def offer_for(page: CheckoutPage, slot: Slot) -> OfferSpec | None:
    """The offer configured for `slot`, if the page has one there."""
    if not 1 <= slot.step <= len(page.upsells):
        return None
    step = page.upsells[slot.step - 1]
    return step.offer if slot.kind is SlotKind.UPSELL else step.downsell


def current_slot(
    page: CheckoutPage,
    responses: Mapping[str, Response],
    dropped: Collection[str] = frozenset(),
) -> Slot | None:
    """The offer to show now, or None when the funnel is at the thank-you page.

    A `dropped` slot (by code) is passed over unanswered; a dropped upsell takes its step's
    downsell with it, since a cheaper alternative only follows a refusal.
    """
    for n, step in enumerate(page.upsells, start=1):
        upsell = Slot(n, SlotKind.UPSELL)
        answer = responses.get(upsell.code)
        if answer is None:
            if upsell.code in dropped:
                continue
            return upsell
        if answer is Response.DECLINED and step.downsell is not None:
            downsell = Slot(n, SlotKind.DOWNSELL)
            if downsell.code not in responses and downsell.code not in dropped:
                return downsell
    return None


def dropped_slots(
    page: CheckoutPage,
    products: Mapping[str, Product],
    in_order: Collection[str],
    owned: Collection[str],
) -> frozenset[str]:
    """Codes of slots to pass over: off sale, priced in another currency, or already bought.

    `in_order` are the SKUs of this order; `owned` those the customer bought before, which
    count only for products kept once bought (not physical goods, which are bought again).
    """
    dropped = set()
    for n, step in enumerate(page.upsells, start=1):
        slots = (
            (Slot(n, SlotKind.UPSELL), step.offer),
            (Slot(n, SlotKind.DOWNSELL), step.downsell),
        )
        for slot, spec in slots:
            if spec is None:
                continue
            product = products.get(spec.sku)
            if (
                product is None
                or not product.active
                or product.price.currency != page.currency
                or spec.sku in in_order
                or (product.kind.is_owned_once and spec.sku in owned)
            ):
                dropped.add(slot.code)
    return frozenset(dropped)


def offers_close_at(purchased_at: datetime, minutes: int) -> datetime:
    """When one-click offers stop being honoured."""
    return purchased_at + timedelta(minutes=minutes)


def refusal(
    page: CheckoutPage,
    responses: Mapping[str, Response],
    slot: Slot,
    *,
    purchased_at: datetime,
    now: datetime,
    dropped: Collection[str] = frozenset(),
) -> Refusal | None:
    """Why answering `slot` now is refused, or None when it may be answered."""
    if offer_for(page, slot) is None:
        return Refusal.UNKNOWN
    if now >= offers_close_at(purchased_at, page.offer_expiry_minutes):
        return Refusal.EXPIRED
    if current_slot(page, responses, dropped) != slot:
        return Refusal.NOT_CURRENT
    return None
