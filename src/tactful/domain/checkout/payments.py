"""The payment gateway port: vault a card once, charge it off-session, idempotently.

Shaped after off-session PaymentIntents: a charge names a vaulted payment method and an
idempotency key, and returns a status instead of raising for an ordinary decline.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from tactful.domain.money import Money


class ChargeStatus(StrEnum):
    """Outcome of a charge attempt."""

    SUCCEEDED = "succeeded"
    DECLINED = "declined"
    REQUIRES_ACTION = "requires_action"


class PaymentError(Exception):
    """The gateway refused a request; `code` is a stable reason code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class CardError(PaymentError):
    """The card details cannot be used (bad number, expired, unknown test card)."""


class IdempotencyConflictError(PaymentError):
    """The idempotency key was used before with different parameters."""


@dataclass(frozen=True, slots=True)
class CardDetails:
    """What the customer typed once; only the gateway ever sees the full number."""

    number: str
    exp_month: int
    exp_year: int
    cvc: str
    holder: str = ""


@dataclass(frozen=True, slots=True)
class PaymentMethod:
    """A vaulted card: a token plus what is safe to show."""

    payment_method_id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int

    @property
    def label(self) -> str:
        """'Visa •4242': how the page names the card it will charge."""
        return f"{self.brand} •{self.last4}"


@dataclass(frozen=True, slots=True)
class Charge:
    """A charge attempt as the gateway recorded it."""

    charge_id: str
    amount: Money
    payment_method_id: str
    status: ChargeStatus
    idempotency_key: str
    created_at: datetime
    failure_code: str | None = None
    failure_message: str | None = None
    client_secret: str | None = None  # set when the customer can confirm it in the page

    @property
    def succeeded(self) -> bool:
        """Whether money moved."""
        return self.status is ChargeStatus.SUCCEEDED


@dataclass(frozen=True, slots=True)
class Refund:
    """Money given back on a charge."""

    refund_id: str
    charge_id: str
    amount: Money
    created_at: datetime


class PaymentGateway(Protocol):
    """What checkout needs from a payment provider."""

    name: str

    def create_payment_method(self, card: CardDetails, *, customer_ref: str) -> PaymentMethod:
        """Vault a card for later off-session charges; CardError if unusable."""
        ...

    def get_payment_method(self, payment_method_id: str) -> PaymentMethod | None:
        """A vaulted card by token."""
        ...

    def charge(
        self,
        amount: int,
        currency: str,
        payment_method: str,
        idempotency_key: str,
        *,
        off_session: bool = False,
    ) -> Charge:
        """Charge once per idempotency key; a repeat returns the first charge unchanged."""
        ...

    def refund(self, charge_id: str, amount: int | None, idempotency_key: str) -> Refund:
        """Refund all or part of a succeeded charge, once per idempotency key."""
        ...


def luhn_valid(number: str) -> bool:
    """The card-number checksum every real card passes."""
    if not (number.isascii() and number.isdigit()) or not 12 <= len(number) <= 19:
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_brand(number: str) -> str:
    """The brand a card number belongs to, from its prefix."""
    if number.startswith("4"):
        return "Visa"
    if number[:2] in {"51", "52", "53", "54", "55"} or (
        number[:4].isdigit() and (2221 <= int(number[:4]) <= 2720)
    ):
        return "Mastercard"
    if number[:2] in {"34", "37"}:
        return "Amex"
    return "Card"


def fingerprint(parts: Mapping[str, Any]) -> str:
    """A stable hash of a request's meaningful parameters (for idempotency checks)."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()
