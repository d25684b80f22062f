"""The `EmailStore` port on SQLAlchemy: sequence versions, enrolments and the outbox.

Claiming is one UPDATE over the oldest due rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL, a
single writer on SQLite) that stamps a claim token and a lease; finishing checks the token, so
a mail whose lease ran out and was taken over is never marked twice.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update

from tactful.adapters.db.email_outcomes import END, OPEN, EmailOutcomes, mail_row
from tactful.adapters.db.email_preferences import EmailPreferences
from tactful.adapters.db.email_reactions import EmailReactions
from tactful.adapters.db.email_send_facts import EmailSendFacts
from tactful.adapters.db.email_triggers import trigger_hits
from tactful.adapters.db.repositories._common import (
    insert_ignoring_rows,
    time_param,
)
from tactful.adapters.db.tables import order_lines, orders
from tactful.adapters.db.tables_email import (
    email_enrolments,
    email_outbox,
    sequence_versions,
)
from tactful.domain.sequences import Trigger
from tactful.services.ports.email import (
    ClaimedMail,
    Enrolment,
    NewMail,
    OutboxEntry,
    StoredSequence,
    TriggerHit,
)

ANALYZE_AFTER = 1_000
"""New enrolments in one scan after which PostgreSQL's statistics of the tables are refreshed."""


def _stored(row: Any) -> StoredSequence:
    return StoredSequence(
        row.sequence_id, row.version, row.definition, row.source, row.created_at, row.active
    )


def _enrolment_row(enrolment: Enrolment, stamp: Callable[[datetime], Any]) -> dict[str, Any]:
    """A driver-ready row (`insert_ignoring_rows`) for a new enrolment."""
    return {
        "enrolment_key": enrolment.enrolment_key,
        "sequence_id": enrolment.sequence_id,
        "version": enrolment.version,
        "customer_id": enrolment.customer_id,
        "trigger_key": enrolment.trigger_key,
        "trigger_at": stamp(enrolment.trigger_at),
        "enrolled_at": stamp(enrolment.enrolled_at),
        "held_out": enrolment.held_out,
        "state": enrolment.state,
    }


class SqlEmailStore(EmailReactions, EmailPreferences, EmailSendFacts, EmailOutcomes):
    """Email sequences in the tactful database (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._held = threading.local()

    def save_sequence(
        self, sequence_id: str, definition: Mapping[str, Any], source: str, at: datetime
    ) -> tuple[int, bool]:
        """Store a new version unless the newest one is the same definition."""
        with self.engine.begin() as conn:
            newest = conn.execute(
                select(sequence_versions)
                .where(sequence_versions.c.sequence_id == sequence_id)
                .order_by(sequence_versions.c.version.desc())
                .limit(1)
            ).first()
            if newest is not None and newest.definition == dict(definition):
                return newest.version, False
            version = 1 if newest is None else newest.version + 1
            conn.execute(
                update(sequence_versions)
                .where(sequence_versions.c.sequence_id == sequence_id)
                .values(active=False)
            )
            conn.execute(
                sequence_versions.insert().values(
                    sequence_id=sequence_id,
                    version=version,
                    definition=dict(definition),
                    source=source,
                    created_at=at,
                    active=True,
                )
            )
            return version, True

    def active_sequences(self) -> list[StoredSequence]:
        with self.engine.connect() as conn:
            query = select(sequence_versions).where(sequence_versions.c.active.is_(True))
            return [_stored(r) for r in conn.execute(query.order_by("sequence_id"))]

    def sequence_version(self, sequence_id: str, version: int) -> StoredSequence | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(sequence_versions).where(
                    sequence_versions.c.sequence_id == sequence_id,
                    sequence_versions.c.version == version,
                )
            ).first()
            return None if row is None else _stored(row)

    def trigger_hits(
        self, sequence_id: str, trigger: Trigger, since: datetime, until: datetime
    ) -> list[TriggerHit]:
        with self.engine.connect() as conn:
            return trigger_hits(conn, sequence_id, trigger, since, until)

    def enrol(self, enrolments: Sequence[Enrolment], mails: Sequence[NewMail]) -> int:
        """Insert enrolments and their first mails once; returns how many enrolments are new.

        A binary COPY and one INSERT ... SELECT per table on PostgreSQL whatever the count
        (`insert_ignoring_rows`), the driver's executemany on SQLite; new enrolments counted by
        rowcount.
        """
        if not enrolments:
            return 0
        with self.engine.begin() as conn:
            stamp = time_param(conn)
            rows = [_enrolment_row(e, stamp) for e in enrolments]
            inserted = insert_ignoring_rows(conn, email_enrolments, rows)
            insert_ignoring_rows(conn, email_outbox, [mail_row(m, stamp) for m in mails])
        if inserted >= ANALYZE_AFTER and self.engine.dialect.name == "postgresql":
            self._analyze("email_enrolments", "email_outbox")
        return inserted

    def _analyze(self, *tables: str) -> None:
        """Fresh planner statistics after a bulk enrolment: with the stale ones (a nearly empty
        table) the next scan's anti-join against active enrolments turns quadratic."""
        with self.engine.connect() as conn:
            for table in tables:
                conn.exec_driver_sql(f"ANALYZE {table}")
            conn.commit()

    def claim(self, now: datetime, limit: int, lease: timedelta) -> list[ClaimedMail]:
        """Take up to `limit` due mails (and mails whose lease ran out) for this worker."""
        token = uuid.uuid4().hex
        with self.engine.begin() as conn:
            conn.execute(
                update(email_outbox)
                .where(email_outbox.c.state == "sending", email_outbox.c.lease_until < now)
                .values(state=OPEN)
            )
            due = (
                select(email_outbox.c.mail_id)
                .where(email_outbox.c.state == OPEN, email_outbox.c.due_at <= now)
                .order_by(email_outbox.c.due_at)
                .limit(limit)
            )
            chosen: Any = due.scalar_subquery()
            if conn.dialect.name == "postgresql":
                # lock the chosen rows first; other workers skip them and take the next ones
                chosen = [r[0] for r in conn.execute(due.with_for_update(skip_locked=True))]
                if not chosen:
                    return []
            claimed = conn.execute(
                update(email_outbox)
                .where(email_outbox.c.mail_id.in_(chosen))
                .values(
                    state="sending",
                    claim_token=token,
                    lease_until=now + lease,
                    attempts=email_outbox.c.attempts + 1,
                )
                .returning(email_outbox)
            ).all()
        rows = sorted(claimed, key=lambda r: (r.due_at, r.mail_id))
        return [
            ClaimedMail(
                r.mail_id, r.enrolment_key, r.step, r.customer_id, r.due_at, r.attempts, token
            )
            for r in rows
        ]

    def next_due(self, now: datetime) -> datetime | None:
        """When the oldest open mail is due (the pick-next query of the bench)."""
        with self.engine.connect() as conn:
            return conn.execute(
                select(email_outbox.c.due_at)
                .where(email_outbox.c.state == OPEN)
                .order_by(email_outbox.c.due_at)
                .limit(1)
            ).scalar()

    def enrolment(self, enrolment_key: str) -> Enrolment | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(email_enrolments).where(email_enrolments.c.enrolment_key == enrolment_key)
            ).first()
        if row is None:
            return None
        return Enrolment(
            row.enrolment_key,
            row.sequence_id,
            row.version,
            row.customer_id,
            row.trigger_key,
            row.trigger_at,
            row.enrolled_at,
            row.held_out,
            row.state,
        )

    def purchases_since(self, customer_id: str, since: datetime) -> list[set[str]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(orders.c.order_id, order_lines.c.sku)
                .select_from(orders.outerjoin(order_lines))
                .where(orders.c.customer_id == customer_id, orders.c.created_at > since)
            )
            baskets: dict[str, set[str]] = {}
            for order_id, sku in rows:
                baskets.setdefault(order_id, set()).update([sku] if sku else [])
        return list(baskets.values())

    def last_order_after(self, customer_id: str, since: datetime) -> datetime | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(func.max(orders.c.created_at)).where(
                    orders.c.customer_id == customer_id, orders.c.created_at > since
                )
            ).scalar()

    def sent_times(self, customer_id: str, since: datetime) -> list[datetime]:
        with self.engine.connect() as conn:
            query = select(email_outbox.c.sent_at).where(
                email_outbox.c.customer_id == customer_id,
                email_outbox.c.sent_at > since,
                email_outbox.c.state == "sent",
            )
            return [r[0] for r in conn.execute(query)]

    def offered_in(self, enrolment_key: str) -> set[str]:
        with self.engine.connect() as conn:
            query = select(email_outbox.c.offered).where(
                email_outbox.c.enrolment_key == enrolment_key, email_outbox.c.state == "sent"
            )
            return {sku for (offered,) in conn.execute(query) for sku in offered or ()}

    def defer(self, mail: ClaimedMail, due_at: datetime, error: str | None = None) -> bool:
        with self.engine.begin() as conn:
            return bool(
                conn.execute(
                    update(email_outbox)
                    .where(
                        email_outbox.c.mail_id == mail.mail_id,
                        email_outbox.c.claim_token == mail.claim_token,
                    )
                    .values(state=OPEN, due_at=due_at, error=error, lease_until=None)
                ).rowcount
            )

    def end_enrolment(self, enrolment_key: str, reason: str, at: datetime) -> None:
        with self.engine.begin() as conn:
            _end(conn, enrolment_key, "exited", reason, at)
            conn.execute(
                update(email_outbox)
                .where(email_outbox.c.enrolment_key == enrolment_key, email_outbox.c.state == OPEN)
                .values(state="cancelled", error=reason)
            )

    def outbox(self, limit: int) -> list[OutboxEntry]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(email_outbox, email_enrolments.c.sequence_id.label("sequence_id"))
                .select_from(
                    email_outbox.join(
                        email_enrolments,
                        email_enrolments.c.enrolment_key == email_outbox.c.enrolment_key,
                    )
                )
                .order_by(email_outbox.c.due_at.desc())
                .limit(limit)
            )
            return [
                OutboxEntry(
                    r.mail_id,
                    r.sequence_id,
                    r.step,
                    r.customer_id,
                    r.due_at,
                    r.state,
                    r.sent_at,
                    r.recipient,
                    r.subject,
                    r.error,
                )
                for r in rows
            ]


def _end(conn: Connection, key: str, state: str, reason: str | None, at: datetime) -> None:
    conn.execute(END, {"e_key": key, "e_state": state, "e_reason": reason, "e_at": at})
