"""The send-time reads of a claimed batch, answered from `SendFacts` fetched once per batch.

A customer's or enrolment's facts are used until the worker writes something about them
(a send, a deferral, an exit, a bounce); from then on, and for anything the facts do not
cover, the read goes to the store as before. So a second mail to the same customer in one
batch sees the first one's send, and the caps and exits hold exactly as mail by mail.
"""

from __future__ import annotations

from datetime import datetime

from tactful.services.ports.email import EmailStore, Enrolment, Recipient, SendFacts


class BatchReads:
    """The store's reads for one batch: from the facts while they are fresh, else the store."""

    def __init__(self, store: EmailStore, facts: SendFacts) -> None:
        self.store, self.facts = store, facts
        self._stale_customers: set[str] = set()
        self._stale_keys: set[str] = set()
        self._sharing: dict[str, set[str]] = {}
        for recipient in facts.recipients.values():
            address = (recipient.customer.email or "").lower()
            if address:
                self._sharing.setdefault(address, set()).add(recipient.customer.customer_id)

    def touched(self, customer_id: str, enrolment_key: str) -> None:
        """The worker wrote about this customer and enrolment: read them from the store now,
        and every customer of the same address too (a bounce suppresses the address)."""
        self._stale_customers.add(customer_id)
        self._stale_keys.add(enrolment_key)
        known = self.facts.recipients.get(customer_id)
        if known is not None and known.customer.email:
            self._stale_customers.update(self._sharing.get(known.customer.email.lower(), ()))

    def _fresh(self, customer_id: str) -> bool:
        return customer_id not in self._stale_customers

    def enrolment(self, enrolment_key: str) -> Enrolment | None:
        known = self.facts.enrolments.get(enrolment_key)
        if known is None or enrolment_key in self._stale_keys:
            return self.store.enrolment(enrolment_key)
        return known

    def recipient(self, customer_id: str) -> Recipient | None:
        known = self.facts.recipients.get(customer_id)
        if known is None or not self._fresh(customer_id):
            return self.store.recipient(customer_id)
        return known

    def purchases_since(self, customer_id: str, since: datetime) -> list[set[str]]:
        if since < self.facts.orders_since or not self._fresh(customer_id):
            return self.store.purchases_since(customer_id, since)
        return [set(skus) for at, skus in self.facts.orders.get(customer_id, ()) if at > since]

    def last_order_after(self, customer_id: str, since: datetime) -> datetime | None:
        if since < self.facts.orders_since or not self._fresh(customer_id):
            return self.store.last_order_after(customer_id, since)
        times = [at for at, _ in self.facts.orders.get(customer_id, ()) if at > since]
        return max(times, default=None)

    def sent_times(self, customer_id: str, since: datetime) -> list[datetime]:
        if since < self.facts.sent_since or not self._fresh(customer_id):
            return self.store.sent_times(customer_id, since)
        return [at for at in self.facts.sent.get(customer_id, ()) if at > since]
