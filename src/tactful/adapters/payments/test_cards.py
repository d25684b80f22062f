"""The documented test cards and what a charge on each does, for every test-mode gateway.

Cards (any future expiry, any CVC):
  4242 4242 4242 4242  always succeeds
  4000 0000 0000 0002  always declined (card_declined)
  4000 0025 0000 3155  needs extra authentication (requires_action), never charged off-session
"""

from __future__ import annotations

from datetime import datetime

from tactful.domain.checkout.payments import (
    CardDetails,
    CardError,
    Charge,
    ChargeStatus,
    IdempotencyConflictError,
    luhn_valid,
)

SUCCEEDS = "succeeds"
DECLINED = "declined"
AUTHENTICATION = "authentication"
TEST_CARDS = {
    "4242424242424242": SUCCEEDS,
    "4000000000000002": DECLINED,
    "4000002500003155": AUTHENTICATION,
}


def card_behaviour(card: CardDetails, number: str, now: datetime) -> str:
    """What charges on this card will do; CardError for anything but a usable test card."""
    if not luhn_valid(number):
        raise CardError("invalid_number", "The card number is not valid.")
    if not 1 <= card.exp_month <= 12 or (card.exp_year, card.exp_month) < (now.year, now.month):
        raise CardError("expired_card", "The card has expired.")
    if not (card.cvc.isdigit() and 3 <= len(card.cvc) <= 4):
        raise CardError("invalid_cvc", "The security code must be 3 or 4 digits.")
    behaviour = TEST_CARDS.get(number)
    if behaviour is None:
        raise CardError("unknown_test_card", "Test mode: use one of the documented test cards.")
    return behaviour


def charge_outcome(behaviour: str) -> tuple[ChargeStatus, str | None, str | None]:
    """The status, failure code and message of a charge on a card of this behaviour."""
    if behaviour == DECLINED:
        return ChargeStatus.DECLINED, "card_declined", "Your card was declined."
    if behaviour == AUTHENTICATION:
        return (
            ChargeStatus.REQUIRES_ACTION,
            "authentication_required",
            "Your bank asks for extra authentication, which this checkout cannot do yet.",
        )
    return ChargeStatus.SUCCEEDED, None, None


def same_charge(first: Charge, amount: int, currency: str, payment_method: str) -> Charge:
    """The first charge of a key, when a repeat asks for the same; else a conflict."""
    if (first.amount.amount, first.amount.currency, first.payment_method_id) != (
        amount,
        currency.upper(),
        payment_method,
    ):
        raise IdempotencyConflictError(
            "idempotency_key_reused", "this idempotency key was used for a different charge"
        )
    return first
