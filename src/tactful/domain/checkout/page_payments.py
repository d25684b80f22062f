"""The port of a gateway whose card form lives in the page (Stripe's Payment Element).

The card never reaches tactful: the server starts a payment for the amount it computed, the
page confirms it with the gateway's script (3-D Secure included), and the gateway tells the
server, by API and by signed webhook, whether it succeeded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from tactful.domain.checkout.payments import PaymentGateway, Refund
from tactful.domain.money import Money


class PaymentState:
    """The gateway's payment statuses tactful acts on (Stripe PaymentIntent statuses)."""

    SUCCEEDED = "succeeded"
    PROCESSING = "processing"
    REQUIRES_ACTION = "requires_action"
    REQUIRES_PAYMENT_METHOD = "requires_payment_method"
    CANCELED = "canceled"


@dataclass(frozen=True, slots=True)
class PagePayment:
    """A payment the customer confirms in the page, as the gateway has it now."""

    payment_ref: str
    client_secret: str
    status: str
    amount: Money
    payment_method_id: str | None = None
    failure_message: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)

    @property
    def succeeded(self) -> bool:
        """Whether the gateway took the money."""
        return self.status == PaymentState.SUCCEEDED


@dataclass(frozen=True, slots=True)
class GatewayEvent:
    """A verified webhook event: its id (handled once), type and the object it is about."""

    event_id: str
    type: str
    data: Mapping[str, Any]


class WebhookSignatureError(ValueError):
    """A webhook whose signature does not verify (or whose body is not an event)."""


class WebhookPayloadError(ValueError):
    """A correctly signed webhook whose body is not the event it claims to be; names the field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


class PagePaymentGateway(PaymentGateway, Protocol):
    """A gateway confirmed in the page: it starts payments and verifies its webhooks."""

    publishable_key: str
    script_url: str

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
        """A payment for `amount` the page confirms; the card is kept for off-session charges
        only when `save_card` (the customer was told so)."""
        ...

    def get_payment(self, payment_ref: str) -> PagePayment | None:
        """The payment as the gateway has it now; None when it does not know it."""
        ...

    def payment_refunds(self, payment_ref: str) -> list[Refund]:
        """Every refund of a payment, wherever it was made (the gateway's dashboard too)."""
        ...

    def cancel_payment(self, payment_ref: str) -> bool:
        """Cancel a payment not taken yet; False when it succeeded (it cannot be cancelled)."""
        ...

    def verify_webhook(self, payload: bytes, signature: str) -> GatewayEvent:
        """The event of a signed webhook body; WebhookSignatureError when it does not verify."""
        ...
