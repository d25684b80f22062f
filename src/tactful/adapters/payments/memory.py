"""A test-mode gateway held in memory: the same test cards, nothing stored, for service tests."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

from tactful.adapters.payments.test_cards import card_behaviour, charge_outcome, same_charge
from tactful.domain.checkout.payments import (
    CardDetails,
    Charge,
    ChargeStatus,
    PaymentError,
    PaymentMethod,
    Refund,
    card_brand,
)
from tactful.domain.clock import Clock, SystemClock
from tactful.domain.money import Money


@dataclass(frozen=True, slots=True)
class _VaultedCard:
    method: PaymentMethod
    behaviour: str


class MemoryGateway:
    """`tactful.domain.checkout.PaymentGateway` in memory, like httpx's MockTransport."""

    name = "test"

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock or SystemClock()
        self.cards: dict[str, _VaultedCard] = {}
        self.charges: dict[str, Charge] = {}
        self.refunds: dict[str, Refund] = {}
        self._lock = threading.Lock()

    def create_payment_method(self, card: CardDetails, *, customer_ref: str) -> PaymentMethod:
        """Vault one of the documented test cards; any other number is refused."""
        number = "".join(card.number.split())
        behaviour = card_behaviour(card, number, self.clock.now())
        method = PaymentMethod(
            "pm_" + secrets.token_hex(12),
            card_brand(number),
            number[-4:],
            card.exp_month,
            card.exp_year,
        )
        with self._lock:
            self.cards[method.payment_method_id] = _VaultedCard(method, behaviour)
        return method

    def get_payment_method(self, payment_method_id: str) -> PaymentMethod | None:
        """A vaulted card by token."""
        vaulted = self.cards.get(payment_method_id)
        return None if vaulted is None else vaulted.method

    def charge(
        self,
        amount: int,
        currency: str,
        payment_method: str,
        idempotency_key: str,
        *,
        off_session: bool = False,
    ) -> Charge:
        """Charge once per key; a repeat with the same parameters returns the first charge."""
        if amount <= 0:
            raise PaymentError("invalid_amount", "amount must be positive")
        with self._lock:
            first = self.charges.get(idempotency_key)
            if first is not None:
                return same_charge(first, amount, currency, payment_method)
            vaulted = self.cards.get(payment_method)
            if vaulted is None:
                raise PaymentError(
                    "no_such_payment_method", f"unknown payment method {payment_method}"
                )
            status, code, message = charge_outcome(vaulted.behaviour)
            charge = Charge(
                "ch_" + secrets.token_hex(12),
                Money(amount, currency.upper()),
                payment_method,
                status,
                idempotency_key,
                self.clock.now(),
                code,
                message,
            )
            self.charges[idempotency_key] = charge
        return charge

    def refund(self, charge_id: str, amount: int | None, idempotency_key: str) -> Refund:
        """Refund a succeeded charge once per key, never more than was charged."""
        with self._lock:
            done = self.refunds.get(idempotency_key)
            if done is not None:
                return done
            charge = next((c for c in self.charges.values() if c.charge_id == charge_id), None)
            if charge is None or charge.status is not ChargeStatus.SUCCEEDED:
                raise PaymentError("not_refundable", f"charge {charge_id} cannot be refunded")
            charged = charge.amount.amount
            already = sum(
                r.amount.amount for r in self.refunds.values() if r.charge_id == charge_id
            )
            value = charged - already if amount is None else amount
            if value <= 0 or already + value > charged:
                raise PaymentError("refund_too_large", "refund exceeds what was charged")
            refund = Refund(
                "re_" + secrets.token_hex(12),
                charge_id,
                Money(value, charge.amount.currency),
                self.clock.now(),
            )
            self.refunds[idempotency_key] = refund
        return refund
