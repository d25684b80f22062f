"""The send-time reads of a whole claimed batch in a few queries (mixed into the SQL store).

Per mail the worker reads the enrolment, the customer with consents, preference and
suppression, the orders since the trigger and the mails sent in the cap window: eight round
trips a mail. Read for the batch at once, it is seven queries for up to 200 mails.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy import Connection, Engine, select

from tactful.adapters.db.tables import consents, customers, order_lines, orders
from tactful.adapters.db.tables_email import (
    email_enrolments,
    email_outbox,
    email_preferences,
    email_suppressions,
)
from tactful.domain.customers import Consent, ConsentPurpose, Customer, CustomerId
from tactful.services.ports.email import ClaimedMail, Enrolment, Recipient, SendFacts

_CHUNK = 500


def _chunks(values: Sequence[str]) -> Iterator[list[str]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


def _enrolments(conn: Connection, keys: Sequence[str]) -> dict[str, Enrolment]:
    found = {}
    for chunk in _chunks(keys):
        query = select(email_enrolments).where(email_enrolments.c.enrolment_key.in_(chunk))
        for r in conn.execute(query):
            found[r.enrolment_key] = Enrolment(
                r.enrolment_key,
                r.sequence_id,
                r.version,
                r.customer_id,
                r.trigger_key,
                r.trigger_at,
                r.enrolled_at,
                r.held_out,
                r.state,
            )
    return found


def _recipients(conn: Connection, ids: Sequence[str]) -> dict[str, Recipient]:
    found: dict[str, Recipient] = {}
    for chunk in _chunks(ids):
        given: dict[str, list[Consent]] = {}
        query = (
            select(consents)
            .where(consents.c.customer_id.in_(chunk))
            .order_by(consents.c.at, consents.c.purpose)
        )
        for c in conn.execute(query):
            consent = Consent(ConsentPurpose(c.purpose), bool(c.granted), c.at, c.source)
            given.setdefault(c.customer_id, []).append(consent)
        where = email_preferences.c.customer_id.in_(chunk)
        prefs = {p.customer_id: p for p in conn.execute(select(email_preferences).where(where))}
        rows = list(conn.execute(select(customers).where(customers.c.customer_id.in_(chunk))))
        addresses = [r.email.lower() for r in rows if r.email]
        suppressed: dict[str, str] = {}
        for part in _chunks(addresses):
            query = select(email_suppressions.c.address, email_suppressions.c.reason)
            where_address = email_suppressions.c.address.in_(part)
            suppressed.update((a, r) for a, r in conn.execute(query.where(where_address)))
        for row in rows:
            customer = Customer(
                CustomerId(row.customer_id),
                row.email,
                row.timezone,
                tuple(given.get(row.customer_id, ())),
            )
            reason = suppressed.get(row.email.lower()) if row.email else None
            pref = prefs.get(row.customer_id)
            found[row.customer_id] = (
                Recipient(customer, suppressed=reason)
                if pref is None
                else Recipient(customer, pref.mode, pref.paused_until, reason)
            )
    return found


def _orders(
    conn: Connection, ids: Sequence[str], since: datetime
) -> dict[str, list[tuple[datetime, frozenset[str]]]]:
    baskets: dict[str, tuple[str, datetime, set[str]]] = {}
    for chunk in _chunks(ids):
        query = (
            select(orders.c.order_id, orders.c.customer_id, orders.c.created_at, order_lines.c.sku)
            .select_from(orders.outerjoin(order_lines))
            .where(orders.c.customer_id.in_(chunk), orders.c.created_at > since)
        )
        for order_id, customer_id, at, sku in conn.execute(query):
            basket = baskets.setdefault(order_id, (customer_id, at, set()))
            if sku:
                basket[2].add(sku)
    found: dict[str, list[tuple[datetime, frozenset[str]]]] = {}
    for customer_id, at, skus in baskets.values():
        found.setdefault(customer_id, []).append((at, frozenset(skus)))
    return found


def _sent(conn: Connection, ids: Sequence[str], since: datetime) -> dict[str, list[datetime]]:
    found: dict[str, list[datetime]] = {}
    for chunk in _chunks(ids):
        query = select(email_outbox.c.customer_id, email_outbox.c.sent_at).where(
            email_outbox.c.customer_id.in_(chunk),
            email_outbox.c.sent_at > since,
            email_outbox.c.state == "sent",
        )
        for customer_id, at in conn.execute(query):
            found.setdefault(customer_id, []).append(at)
    return found


class EmailSendFacts:
    """`send_facts` of the SQL email store."""

    engine: Engine

    def send_facts(
        self, mails: Sequence[ClaimedMail], orders_since: datetime, sent_since: datetime
    ) -> SendFacts:
        ids = [m.customer_id for m in mails]
        with self.engine.connect() as conn:
            enrolments = _enrolments(conn, [m.enrolment_key for m in mails])
            since = min([orders_since, *(e.trigger_at for e in enrolments.values())])
            return SendFacts(
                enrolments,
                _recipients(conn, ids),
                _orders(conn, ids, since),
                _sent(conn, ids, sent_since),
                since,
                sent_since,
            )
