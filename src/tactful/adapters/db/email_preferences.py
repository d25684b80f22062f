"""What a customer chose about email: preferences, suppressions, and the mail they acted on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Engine, select

from tactful.adapters.db.repositories._common import dialect_insert
from tactful.adapters.db.repositories.customers import get_customer, record_consent
from tactful.adapters.db.tables_email import (
    email_interactions,
    email_outbox,
    email_preferences,
    email_suppressions,
)
from tactful.adapters.db.webhook_store import SqlOutbox
from tactful.domain.sequences.preferences import preference_changes, preference_consent
from tactful.services.ports.email import Recipient


class EmailPreferences:
    """The recipient's side of the email store (mixed into the SQL email store)."""

    engine: Engine

    def recipient(self, customer_id: str) -> Recipient | None:
        with self.engine.connect() as conn:
            customer = get_customer(conn, customer_id)
            if customer is None:
                return None
            pref = conn.execute(
                select(email_preferences).where(email_preferences.c.customer_id == customer_id)
            ).first()
            suppressed = None
            if customer.email:
                suppressed = conn.execute(
                    select(email_suppressions.c.reason).where(
                        email_suppressions.c.address == customer.email.lower()
                    )
                ).scalar()
        if pref is None:
            return Recipient(customer, suppressed=suppressed)
        return Recipient(customer, pref.mode, pref.paused_until, suppressed)

    def suppress(self, address: str, customer_id: str | None, reason: str, at: datetime) -> None:
        with self.engine.begin() as conn:
            statement = dialect_insert(conn, email_suppressions).on_conflict_do_nothing()
            conn.execute(
                statement,
                [
                    {
                        "address": address.lower(),
                        "customer_id": customer_id,
                        "reason": reason,
                        "at": at,
                    }
                ],
            )

    def set_preference(
        self,
        customer_id: str,
        mode: str,
        paused_until: datetime | None,
        at: datetime,
        webhook: tuple[str, str] | None = None,
    ) -> None:
        """Store the customer's choice; "none" also records marketing consent withdrawn."""
        with self.engine.begin() as conn:
            store_preference(conn, customer_id, mode, paused_until, at, webhook)

    def record_interaction(self, mail_id: int, kind: str, value: str, at: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                email_interactions.insert().values(mail_id=mail_id, kind=kind, value=value, at=at)
            )

    def mail_customer(self, mail_id: int) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(email_outbox.c.customer_id).where(email_outbox.c.mail_id == mail_id)
            ).scalar()


def store_preference(
    conn: Connection,
    customer_id: str,
    mode: str,
    paused_until: datetime | None,
    at: datetime,
    webhook: tuple[str, str] | None = None,
) -> None:
    """The preference, the consent it implies and (if the mode changes) the webhook, on `conn`."""
    if webhook is not None and preference_changes(_mode(conn, customer_id), mode):
        SqlOutbox(conn).enqueue(*webhook, at)
    insert = dialect_insert(conn, email_preferences)
    values = {"mode": mode, "paused_until": paused_until, "updated_at": at}
    conn.execute(
        insert.on_conflict_do_update(index_elements=["customer_id"], set_=values),
        [{"customer_id": customer_id, **values}],
    )
    consent = preference_consent(mode, at, get_customer(conn, customer_id))
    if consent is not None:
        record_consent(conn, customer_id, consent)


def _mode(conn: Connection, customer_id: str) -> str | None:
    where = email_preferences.c.customer_id == customer_id
    return conn.execute(select(email_preferences.c.mode).where(where)).scalar()
