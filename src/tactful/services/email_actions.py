"""What a customer does from a mail: unsubscribe (one click), choose preferences, click, answer.

Every action carries the mail's id and a MAC over it, so it needs no login and cannot be
forged for another customer; a mail id alone names the customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from tactful.domain.clock import Clock
from tactful.domain.webhooks_out import EventType
from tactful.services.email_compose import EmailConfig, verify
from tactful.services.ports.email import EmailStore
from tactful.services.webhooks_out import message_body

UNSUBSCRIBE = EventType.UNSUBSCRIBE

PAUSE = timedelta(days=30)


class Choice(StrEnum):
    """The preference page's options."""

    EVERYTHING = "all"
    PAUSE_30_DAYS = "paused"
    ONLY_ORDER_UPDATES = "orders_only"
    NOTHING = "none"


class BadLinkError(ValueError):
    """A link whose signature does not match (tampered, or from another installation)."""


@dataclass
class EmailActions:
    """Unsubscribes, preferences, clicks and check-in answers, recorded once each."""

    store: EmailStore
    config: EmailConfig
    clock: Clock

    def customer_of(self, mail_id: int, mac: str) -> str:
        """The customer a signed mail link belongs to; BadLinkError otherwise."""
        if not verify(self.config, "unsubscribe", mac, str(mail_id)):
            raise BadLinkError("this link is not valid")
        customer = self.store.mail_customer(mail_id)
        if customer is None:
            raise BadLinkError("this link is not valid")
        return customer

    def unsubscribe(self, mail_id: int, mac: str) -> str:
        """Stop every marketing mail to the mail's customer, queued ones included."""
        return self.choose(mail_id, mac, Choice.NOTHING)

    def choose(self, mail_id: int, mac: str, choice: Choice) -> str:
        """Store the customer's choice; returns the customer id."""
        customer = self.customer_of(mail_id, mac)
        now = self.clock.now()
        until = now + PAUSE if choice is Choice.PAUSE_30_DAYS else None
        webhook = None
        if choice in (Choice.NOTHING, Choice.ONLY_ORDER_UPDATES):
            data = {"customer_id": customer, "mail_id": mail_id, "preference": choice.value}
            webhook = (UNSUBSCRIBE.value, message_body(UNSUBSCRIBE, data, now))
        self.store.set_preference(customer, choice.value, until, now, webhook)
        if choice is Choice.NOTHING:
            self.store.record_interaction(mail_id, "unsubscribe", "one-click", now)
        return customer

    def click(self, mail_id: int, target: str, mac: str) -> str:
        """Record a click and return where it leads; BadLinkError for an unsigned target."""
        if not verify(self.config, "click", mac, str(mail_id), target):
            raise BadLinkError("this link is not valid")
        self.store.record_interaction(mail_id, "click", target, self.clock.now())
        return target

    def offer_terms(self, customer_id: str, sku: str, price: str, mac: str) -> None:
        """Check that an offer link's item and price are the ones the mail signed."""
        if not verify(self.config, "offer", mac, customer_id, sku, price):
            raise BadLinkError("this link is not valid")

    def feedback(self, mail_id: int, rating: int, mac: str) -> None:
        """A check-in answer (1-5) from a signed link in the mail."""
        if not 1 <= rating <= 5 or not verify(
            self.config, "feedback", mac, str(mail_id), str(rating)
        ):
            raise BadLinkError("this link is not valid")
        self.store.record_interaction(mail_id, "rating", str(rating), self.clock.now())
