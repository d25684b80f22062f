"""Depth and age of the mail and webhook outboxes, read when /metrics is scraped.

Each figure is one indexed count or MIN over a small set of states, so a scrape stays cheap
while the outboxes hold millions of finished rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from tactful.adapters.db.email_outcomes import OPEN as MAIL_DUE
from tactful.adapters.db.repositories._common import utc
from tactful.adapters.db.tables_email import email_outbox
from tactful.adapters.db.tables_storefront import webhook_outbox
from tactful.adapters.db.webhook_store import PENDING as WEBHOOK_PENDING


def queue_gauges(engine: Engine, now: datetime) -> dict[str, float]:
    """Mails and webhook deliveries per state, and how long the oldest due one has waited.

    Empty if the database cannot be read: a scrape must not fail because of an outage
    (`/readyz` reports that).
    """
    try:
        with engine.connect() as connection:
            mails = connection.execute(
                select(email_outbox.c.state, func.count()).group_by(email_outbox.c.state)
            ).all()
            oldest_mail = connection.execute(
                select(func.min(email_outbox.c.due_at)).where(
                    email_outbox.c.state == MAIL_DUE, email_outbox.c.due_at <= now
                )
            ).scalar()
            deliveries = connection.execute(
                select(webhook_outbox.c.status, func.count()).group_by(webhook_outbox.c.status)
            ).all()
            oldest_delivery = connection.execute(
                select(func.min(webhook_outbox.c.next_attempt_at)).where(
                    webhook_outbox.c.status == WEBHOOK_PENDING,
                    webhook_outbox.c.next_attempt_at <= now,
                )
            ).scalar()
    except SQLAlchemyError:
        return {}
    figures: dict[str, float] = {f"email_outbox_{state}": count for state, count in mails}
    figures.update({f"webhook_outbox_{status}": count for status, count in deliveries})
    figures["email_outbox_oldest_due_seconds"] = _waited(oldest_mail, now)
    figures["webhook_outbox_oldest_due_seconds"] = _waited(oldest_delivery, now)
    return figures


def _waited(since: datetime | None, now: datetime) -> float:
    return 0.0 if since is None else max(0.0, (utc(now) - utc(since)).total_seconds())
