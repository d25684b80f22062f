"""Storage of hosted checkout pages, orders, idempotency keys and one-click offers."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from tactful.domain.checkout.records import ChargeRecord, CheckoutOrder, OfferAnswer, StoredKey
from tactful.domain.orders import OrderLine


class CheckoutStore(Protocol):
    """Reads and writes hosted checkout pages, orders, keys and offers in one transaction.

    Each method has the name and parameters of the function it wraps in
    `tactful.adapters.db.repositories.checkout`, less the leading connection. Exactly-once
    rests on the claims: `claim_key` and `claim_offer` succeed for one caller only, and
    `finish_offer` / `retake_offer` only move an offer that is still pending.
    """

    def save_page(self, slug: str, definition: dict[str, Any], *, at: datetime) -> bool:
        """Create or replace a page definition; True when it was new."""
        ...

    def load_page(self, slug: str) -> dict[str, Any] | None:
        """A page's stored definition."""
        ...

    def list_pages(self) -> list[str]:
        """Slugs of every page, in order."""
        ...

    def claim_key(self, key: str, fingerprint: str, *, at: datetime) -> bool:
        """Claim an idempotency key; False when it was claimed before (by anyone)."""
        ...

    def get_key(self, key: str) -> StoredKey | None:
        """A stored idempotency key."""
        ...

    def complete_key(self, key: str, result: dict[str, Any], *, at: datetime) -> None:
        """Store the first result under its key."""
        ...

    def release_key(self, key: str) -> None:
        """Forget a key still in flight, so a retry can run."""
        ...

    def retake_key(self, key: str, *, before: datetime, at: datetime) -> bool:
        """Take over a key still in flight since before `before` (its process died)."""
        ...

    def insert_checkout_order(self, order: CheckoutOrder) -> None:
        """Remember the checkout side of a new order."""
        ...

    def get_checkout_order(self, order_id: str) -> CheckoutOrder | None:
        """The checkout side of an order."""
        ...

    def responses(self, order_id: str) -> dict[str, OfferAnswer]:
        """Every offer answer of an order, by offer id."""
        ...

    def claim_offer(
        self, order_id: str, offer_id: str, sku: str, status: str, *, at: datetime
    ) -> bool:
        """Create the offer's one answer; False when it exists already."""
        ...

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
        """Move a pending offer to its final status; False if it was not pending any more."""
        ...

    def retake_offer(self, order_id: str, offer_id: str, *, before: datetime, at: datetime) -> bool:
        """Take over a pending offer claimed before `before`; False if it is not one."""
        ...

    def append_line(self, order_id: str, line: OrderLine) -> int:
        """Add a line to a stored order; returns its line number (one past the last)."""
        ...

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
        """Link a succeeded gateway charge to the order (and offer) it paid for."""
        ...

    def order_charges(self, order_id: str) -> list[ChargeRecord]:
        """Charges made for an order, oldest first."""
        ...

    def set_offer_line(self, order_id: str, offer_id: str, line_no: int) -> None:
        """Remember which order line an accepted offer added."""
        ...
