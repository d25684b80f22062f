"""The Stripe gateway: PaymentIntents through the official `stripe` package.

A checkout is a PaymentIntent for the amount the server computed, confirmed in the page with
the Payment Element (`start_payment`, `get_payment`); one-click upsells are off-session
PaymentIntents on the saved card, our idempotency key sent as Stripe's `Idempotency-Key`
(`charge`); a charge id here is the PaymentIntent's id, which is also what refunds name.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import stripe

from tactful.domain.checkout.page_payments import (
    GatewayEvent,
    PagePayment,
    WebhookPayloadError,
    WebhookSignatureError,
)
from tactful.domain.checkout.payments import (
    CardDetails,
    CardError,
    Charge,
    ChargeStatus,
    IdempotencyConflictError,
    PaymentError,
    PaymentMethod,
    Refund,
)
from tactful.domain.money import Money

SCRIPT_URL = "https://js.stripe.com/v3/"
_BRANDS = {"visa": "Visa", "mastercard": "Mastercard", "amex": "Amex"}
_CARD_CODES = {
    "incorrect_number": "invalid_number",
    "invalid_number": "invalid_number",
    "expired_card": "expired_card",
    "invalid_expiry_month": "expired_card",
    "invalid_expiry_year": "expired_card",
    "incorrect_cvc": "invalid_cvc",
    "invalid_cvc": "invalid_cvc",
}
_TOO_LARGE = {"amount_too_large", "charge_already_refunded"}


def _when(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def _error_code(exc: stripe.StripeError) -> str:
    return str(exc.code or "")


_PRINTABLE = re.compile(r"[^\x00-\x1f\x7f]+")


class StripeGateway:
    """`tactful.domain.checkout.page_payments.PagePaymentGateway` on Stripe's API."""

    name = "stripe"
    script_url = SCRIPT_URL

    def __init__(
        self,
        secret_key: str,
        publishable_key: str,
        webhook_secret: str,
        *,
        api_base: str = "",
        max_network_retries: int = 2,
    ) -> None:
        addresses: Any = {"api": api_base} if api_base else None
        self.client = stripe.StripeClient(
            secret_key, base_addresses=addresses, max_network_retries=max_network_retries
        )
        self.publishable_key = publishable_key
        self.webhook_secret = webhook_secret

    def create_payment_method(self, card: CardDetails, *, customer_ref: str) -> PaymentMethod:
        """Vault card details sent by the server (tests; live keys need raw-card access)."""
        params: Any = {
            "type": "card",
            "card": {
                "number": "".join(card.number.split()),
                "exp_month": card.exp_month,
                "exp_year": card.exp_year,
                "cvc": card.cvc,
            },
        }
        try:
            method = self.client.v1.payment_methods.create(params)
        except stripe.CardError as exc:
            code = _CARD_CODES.get(_error_code(exc), _error_code(exc) or "card_error")
            raise CardError(code, exc.user_message or "The card cannot be used.") from exc
        customer = self.client.v1.customers.create({"email": customer_ref})
        self.client.v1.payment_methods.attach(method.id, {"customer": customer.id})
        return _method(method)

    def get_payment_method(self, payment_method_id: str) -> PaymentMethod | None:
        """A saved card by id; None when Stripe does not know it."""
        found = self._stripe_method(payment_method_id)
        return None if found is None else _method(found)

    def _stripe_method(self, payment_method_id: str) -> stripe.PaymentMethod | None:
        try:
            return self.client.v1.payment_methods.retrieve(payment_method_id)
        except stripe.InvalidRequestError as exc:
            if _error_code(exc) == "resource_missing":
                return None
            raise

    def charge(
        self,
        amount: int,
        currency: str,
        payment_method: str,
        idempotency_key: str,
        *,
        off_session: bool = False,
    ) -> Charge:
        """A confirmed PaymentIntent on a saved card, once per key (Stripe's Idempotency-Key).

        A decline or a bank asking for authentication is a Charge with that status (its
        `client_secret` lets the customer confirm it in the page), not an exception.
        """
        if amount <= 0:
            raise PaymentError("invalid_amount", "amount must be positive")
        method = self._stripe_method(payment_method)
        if method is None:
            raise PaymentError("no_such_payment_method", f"unknown payment method {payment_method}")
        params: Any = {
            "amount": amount,
            "currency": currency.lower(),
            "customer": _customer_id(method.customer),
            "payment_method": payment_method,
            "payment_method_types": ["card"],
            "confirm": True,
            "off_session": off_session,
        }
        try:
            intent = self.client.v1.payment_intents.create(
                params, {"idempotency_key": header_key(idempotency_key)}
            )
        except stripe.CardError as exc:
            return _failed_charge(exc, payment_method, idempotency_key)
        except stripe.IdempotencyError as exc:
            raise IdempotencyConflictError("idempotency_key_reused", str(exc)) from exc
        return _charge(intent, payment_method, idempotency_key)

    def refund(self, charge_id: str, amount: int | None, idempotency_key: str) -> Refund:
        """Refund all or part of a succeeded PaymentIntent, once per key."""
        params: Any = {"payment_intent": charge_id}
        if amount is not None:
            params["amount"] = amount
        try:
            refund = self.client.v1.refunds.create(
                params, {"idempotency_key": header_key(idempotency_key)}
            )
        except stripe.IdempotencyError as exc:
            raise IdempotencyConflictError("idempotency_key_reused", str(exc)) from exc
        except stripe.InvalidRequestError as exc:
            code = "refund_too_large" if _error_code(exc) in _TOO_LARGE else "not_refundable"
            raise PaymentError(code, exc.user_message or str(exc)) from exc
        return Refund(
            refund.id,
            charge_id,
            Money(refund.amount, refund.currency.upper()),
            _when(refund.created),
        )

    def start_payment(
        self,
        amount: int,
        currency: str,
        *,
        email: str,
        save_card: bool,
        idempotency_key: str,
        metadata: Mapping[str, str],
    ) -> PagePayment:
        """A PaymentIntent the Payment Element confirms; saved for later only if `save_card`.

        PaymentError `gateway_unavailable` when Stripe cannot be reached (nothing was charged).
        """
        with _reachable():
            customer = self.client.v1.customers.create(
                {"email": email}, {"idempotency_key": header_key(f"{idempotency_key}:customer")}
            )
        params: Any = {
            "amount": amount,
            "currency": currency.lower(),
            "customer": customer.id,
            "automatic_payment_methods": {"enabled": True},
            "receipt_email": email,
            "metadata": dict(metadata),
        }
        if save_card:
            params["setup_future_usage"] = "off_session"
        try:
            with _reachable():
                intent = self.client.v1.payment_intents.create(
                    params, {"idempotency_key": header_key(idempotency_key)}
                )
        except stripe.IdempotencyError as exc:
            raise IdempotencyConflictError("idempotency_key_reused", str(exc)) from exc
        return _page_payment(intent)

    def get_payment(self, payment_ref: str) -> PagePayment | None:
        """The PaymentIntent as Stripe has it now (PaymentError when Stripe cannot be reached)."""
        try:
            with _reachable():
                return _page_payment(self.client.v1.payment_intents.retrieve(payment_ref))
        except stripe.InvalidRequestError as exc:
            if _error_code(exc) == "resource_missing":
                return None
            raise

    def payment_refunds(self, payment_ref: str) -> list[Refund]:
        """Every refund of a PaymentIntent (made here or in Stripe's dashboard)."""
        params: Any = {"payment_intent": payment_ref, "limit": 100}
        found = self.client.v1.refunds.list(params)
        return [
            Refund(r.id, payment_ref, Money(r.amount, r.currency.upper()), _when(r.created))
            for r in found.auto_paging_iter()
            if r.status != "failed"
        ]

    def cancel_payment(self, payment_ref: str) -> bool:
        """Cancel a PaymentIntent not taken yet; False when it succeeded meanwhile."""
        try:
            self.client.v1.payment_intents.cancel(payment_ref)
        except stripe.InvalidRequestError as exc:
            current = self.get_payment(payment_ref)
            if current is not None and current.succeeded:
                return False
            if current is not None and current.status == "canceled":
                return True
            raise PaymentError(_error_code(exc) or "cancel_failed", str(exc)) from exc
        return True

    def verify_webhook(self, payload: bytes, signature: str) -> GatewayEvent:
        """The event of a body signed with the endpoint's secret (`Stripe-Signature`).

        WebhookSignatureError unless the signature verifies (within Stripe's 5-minute
        tolerance, so a captured delivery cannot be replayed later); WebhookPayloadError,
        naming the field, when a signed body is not an event with an object.
        """
        try:
            text = payload.decode("utf-8")
            stripe.WebhookSignature.verify_header(
                text, signature, self.webhook_secret, stripe.Webhook.DEFAULT_TOLERANCE
            )
        except (stripe.SignatureVerificationError, ValueError) as exc:
            raise WebhookSignatureError(str(exc)) from exc
        return event_of(text)


def header_key(key: str) -> str:
    """Our idempotency key as Stripe's `Idempotency-Key` header: as it is when it is printable
    ASCII of at most 255 characters (Stripe's limit), else a digest of it (still one per key)."""
    if key.isascii() and key.isprintable() and len(key) <= 255:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def event_of(text: str) -> GatewayEvent:
    """A verified body as an event: `id` and `type` strings, `data.object` an object."""
    try:
        event = json.loads(text)
    except ValueError as exc:
        raise WebhookPayloadError("body", f"not JSON ({exc})") from exc
    if not isinstance(event, dict):
        raise WebhookPayloadError("body", "not a JSON object")
    for name, most in (("id", 255), ("type", 64)):
        value = event.get(name)
        if not isinstance(value, str) or not _PRINTABLE.fullmatch(value) or len(value) > most:
            raise WebhookPayloadError(name, f"must be 1 to {most} printable characters")
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise WebhookPayloadError("data.object", "must be an object")
    return GatewayEvent(event["id"], event["type"], data["object"])


@contextmanager
def _reachable() -> Iterator[None]:
    """Stripe unreachable, down or refusing our key: one PaymentError the pages can explain."""
    try:
        yield
    except (stripe.APIConnectionError, stripe.AuthenticationError) as exc:
        raise PaymentError("gateway_unavailable", "Stripe could not be reached") from exc
    except stripe.APIError as exc:
        raise PaymentError("gateway_unavailable", f"Stripe answered with an error: {exc}") from exc


def _customer_id(customer: Any) -> str | None:
    if customer is None or isinstance(customer, str):
        return customer
    return str(customer.id)


def _method(method: stripe.PaymentMethod) -> PaymentMethod:
    card = method.card
    if card is None:
        return PaymentMethod(method.id, method.type.title(), "", 0, 0)
    brand = _BRANDS.get(card.brand, card.brand.title())
    return PaymentMethod(method.id, brand, card.last4, card.exp_month, card.exp_year)


def _status(intent_status: str) -> ChargeStatus:
    if intent_status == "succeeded":
        return ChargeStatus.SUCCEEDED
    if intent_status in ("requires_action", "requires_confirmation", "processing"):
        return ChargeStatus.REQUIRES_ACTION
    return ChargeStatus.DECLINED


def _charge(intent: stripe.PaymentIntent, payment_method: str, key: str) -> Charge:
    status = _status(intent.status)
    failure = None if status is ChargeStatus.SUCCEEDED else "authentication_required"
    return Charge(
        charge_id=intent.id,
        amount=Money(intent.amount, intent.currency.upper()),
        payment_method_id=payment_method,
        status=status,
        idempotency_key=key,
        created_at=_when(intent.created),
        failure_code=failure if status is ChargeStatus.REQUIRES_ACTION else None,
        failure_message=(
            "Your bank asks you to confirm this payment."
            if status is ChargeStatus.REQUIRES_ACTION
            else None
        ),
        client_secret=intent.client_secret if status is ChargeStatus.REQUIRES_ACTION else None,
    )


def _failed_charge(exc: stripe.CardError, payment_method: str, key: str) -> Charge:
    """A card error answered with its PaymentIntent: declined, or waiting for the customer."""
    error = exc.error
    intent = error.payment_intent if error is not None else None
    if intent is None:
        raise PaymentError(_error_code(exc) or "card_error", exc.user_message or str(exc)) from exc
    code = _error_code(exc)
    needs_customer = code == "authentication_required"
    return Charge(
        charge_id=intent.id,
        amount=Money(intent.amount, intent.currency.upper()),
        payment_method_id=payment_method,
        status=ChargeStatus.REQUIRES_ACTION if needs_customer else ChargeStatus.DECLINED,
        idempotency_key=key,
        created_at=_when(intent.created),
        failure_code=code or "card_declined",
        failure_message=exc.user_message or "Your card was declined.",
        client_secret=intent.client_secret if needs_customer else None,
    )


def _page_payment(intent: stripe.PaymentIntent) -> PagePayment:
    error = _plain(intent.last_payment_error) or None
    return PagePayment(
        payment_ref=intent.id,
        client_secret=intent.client_secret or "",
        status=intent.status,
        amount=Money(intent.amount, intent.currency.upper()),
        payment_method_id=_customer_id(intent.payment_method),
        failure_message=None if error is None else (error.get("message") or error.get("code")),
        metadata=_plain(intent.metadata),
    )


def _plain(value: Any) -> dict[str, Any]:
    """A Stripe object (or None) as plain nested dicts."""
    if value is None:
        return {}
    plain = value.to_dict() if hasattr(value, "to_dict") else value
    return {str(k): v for k, v in dict(plain).items()}
