"""`tactful.services.ports.CheckoutStore` in memory."""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tactful.domain.checkout.records import ChargeRecord, CheckoutOrder, OfferAnswer, StoredKey
from tactful.domain.orders import OrderLine

if TYPE_CHECKING:
    from tactful.adapters.memory.database import MemoryState


@dataclass
class CheckoutData:
    """What the checkout store holds: pages, keys, checkout orders, offer answers, charges."""

    pages: dict[str, dict[str, Any]] = field(default_factory=dict)
    keys: dict[str, StoredKey] = field(default_factory=dict)
    orders: dict[str, CheckoutOrder] = field(default_factory=dict)
    answers: dict[tuple[str, str], OfferAnswer] = field(default_factory=dict)
    answer_lines: dict[tuple[str, str], int] = field(default_factory=dict)
    charges: dict[str, ChargeRecord] = field(default_factory=dict)


class MemoryCheckoutStore:
    """`tactful.services.ports.CheckoutStore` over a memory transaction's working state."""

    def __init__(self, state: MemoryState) -> None:
        self.state = state
        self.data = state.checkout

    def save_page(self, slug: str, definition: dict[str, Any], *, at: datetime) -> bool:
        created = slug not in self.data.pages
        self.data.pages[slug] = copy.deepcopy(definition)
        return created

    def load_page(self, slug: str) -> dict[str, Any] | None:
        definition = self.data.pages.get(slug)
        return None if definition is None else copy.deepcopy(definition)

    def list_pages(self) -> list[str]:
        return sorted(self.data.pages)

    def claim_key(self, key: str, fingerprint: str, *, at: datetime) -> bool:
        if key in self.data.keys:
            return False
        self.data.keys[key] = StoredKey(key, fingerprint, "in_flight", None, at)
        return True

    def get_key(self, key: str) -> StoredKey | None:
        return self.data.keys.get(key)

    def complete_key(self, key: str, result: dict[str, Any], *, at: datetime) -> None:
        stored = self.data.keys.get(key)
        if stored is not None:
            done = copy.deepcopy(result)
            self.data.keys[key] = dataclasses.replace(stored, status="done", result=done)

    def release_key(self, key: str) -> None:
        stored = self.data.keys.get(key)
        if stored is not None and stored.status == "in_flight":
            del self.data.keys[key]

    def retake_key(self, key: str, *, before: datetime, at: datetime) -> bool:
        stored = self.data.keys.get(key)
        if stored is None or stored.status != "in_flight" or stored.created_at >= before:
            return False
        self.data.keys[key] = dataclasses.replace(stored, created_at=at)
        return True

    def insert_checkout_order(self, order: CheckoutOrder) -> None:
        if order.order_id in self.data.orders:
            raise ValueError(f"checkout order {order.order_id!r} exists")
        if order.order_id not in self.state.orders.orders:
            raise ValueError(f"no order {order.order_id!r}")
        self.data.orders[order.order_id] = order

    def get_checkout_order(self, order_id: str) -> CheckoutOrder | None:
        return self.data.orders.get(order_id)

    def responses(self, order_id: str) -> dict[str, OfferAnswer]:
        return {
            offer_id: answer
            for (order, offer_id), answer in self.data.answers.items()
            if order == order_id
        }

    def claim_offer(
        self, order_id: str, offer_id: str, sku: str, status: str, *, at: datetime
    ) -> bool:
        if (order_id, offer_id) in self.data.answers:
            return False
        self.data.answers[order_id, offer_id] = OfferAnswer(offer_id, sku, status, None, None, at)
        return True

    def finish_offer(
        self,
        order_id: str,
        offer_id: str,
        *,
        status: str,
        at: datetime,
        charge_id: str | None = None,
        line_no: int | None = None,
        message: str | None = None,
    ) -> bool:
        answer = self.data.answers.get((order_id, offer_id))
        if answer is None or answer.status != "pending":
            return False
        self.data.answers[order_id, offer_id] = dataclasses.replace(
            answer, status=status, charge_id=charge_id, message=message
        )
        if line_no is not None:
            self.data.answer_lines[order_id, offer_id] = line_no
        return True

    def retake_offer(self, order_id: str, offer_id: str, *, before: datetime, at: datetime) -> bool:
        answer = self.data.answers.get((order_id, offer_id))
        if answer is None or answer.status != "pending" or not answer.claimed_at < before:
            return False
        self.data.answers[order_id, offer_id] = dataclasses.replace(answer, claimed_at=at)
        return True

    def append_line(self, order_id: str, line: OrderLine) -> int:
        orders = self.state.orders.orders
        order = orders[order_id]
        orders[order_id] = dataclasses.replace(order, lines=(*order.lines, line))
        return len(order.lines) + 1

    def record_charge(
        self,
        *,
        charge_id: str,
        order_id: str,
        offer_id: str | None,
        amount: int,
        currency: str,
        at: datetime,
    ) -> None:
        paid = {(c.order_id, c.offer_id) for c in self.data.charges.values() if c.offer_id}
        if charge_id in self.data.charges or (order_id, offer_id) in paid:
            raise ValueError(f"charge {charge_id!r} or offer {offer_id!r} is recorded already")
        record = ChargeRecord(charge_id, order_id, offer_id, amount, currency, at)
        self.data.charges[charge_id] = record

    def order_charges(self, order_id: str) -> list[ChargeRecord]:
        found = [c for c in self.data.charges.values() if c.order_id == order_id]
        return sorted(found, key=lambda c: (c.created_at, c.charge_id))

    def set_offer_line(self, order_id: str, offer_id: str, line_no: int) -> None:
        if (order_id, offer_id) in self.data.answers:
            self.data.answer_lines[order_id, offer_id] = line_no
