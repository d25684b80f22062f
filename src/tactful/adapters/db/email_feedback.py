"""SQL storage of complaints and opens (the `EmailFeedbackStore` port)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Engine, func, select, update

from tactful.adapters.db.email_preferences import store_preference
from tactful.adapters.db.repositories._common import dialect_insert
from tactful.adapters.db.tables import customers
from tactful.adapters.db.tables_email import email_enrolments, email_outbox, email_suppressions
from tactful.adapters.db.tables_email_feedback import email_complaints, email_opens
from tactful.domain.sequences import ExitRule
from tactful.services.ports.email_feedback import Complaint, ComplaintOutcome, Unsubscribed

COMPLAINT = ExitRule.COMPLAINT.value
_QUEUED = ("due",)


class SqlEmailFeedback:
    """Complaints and opens in the database; a complaint's effects land in one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record_complaint(
        self, complaint: Complaint, unsubscribed: Unsubscribed | None = None
    ) -> ComplaintOutcome:
        with self.engine.begin() as conn:
            customer_id, address = _who(conn, complaint)
            row = {
                "complaint_key": complaint.key[:200],
                "mail_id": complaint.mail_id,
                "address": address,
                "customer_id": customer_id,
                "feedback_type": complaint.feedback_type[:32],
                "user_agent": complaint.user_agent[:200],
                "received_at": complaint.at,
            }
            insert = dialect_insert(conn, email_complaints).values(row).on_conflict_do_nothing()
            stored = conn.execute(insert.returning(email_complaints.c.complaint_key)).first()
            if stored is None:
                return ComplaintOutcome(customer_id, address, new=False, ended=0)
            if address:
                _suppress(conn, address, customer_id, complaint.at)
            if not customer_id:
                return ComplaintOutcome(customer_id, address, new=True, ended=0)
            ended = _end_all(conn, customer_id, complaint.at)
            webhook = None if unsubscribed is None else unsubscribed(customer_id)
            store_preference(conn, customer_id, "none", None, complaint.at, webhook)
            return ComplaintOutcome(customer_id, address, new=True, ended=ended)

    def record_open(self, mail_id: int, at: datetime) -> bool:
        with self.engine.begin() as conn:
            exists = conn.execute(
                select(email_outbox.c.mail_id).where(email_outbox.c.mail_id == mail_id)
            ).first()
            if exists is None:
                return False
            statement = dialect_insert(conn, email_opens).values(mail_id=mail_id, first_at=at)
            insert = statement.on_conflict_do_nothing().returning(email_opens.c.mail_id)
            return conn.execute(insert).first() is not None

    def opened(self, mail_id: int) -> datetime | None:
        with self.engine.connect() as conn:
            found: datetime | None = conn.execute(
                select(email_opens.c.first_at).where(email_opens.c.mail_id == mail_id)
            ).scalar()
            return found


def _who(conn: Connection, complaint: Complaint) -> tuple[str | None, str | None]:
    """The customer and address a complaint names: from the mail we sent, else the address."""
    address = complaint.address.lower() if complaint.address else None
    if complaint.mail_id is not None:
        sent = conn.execute(
            select(email_outbox.c.customer_id, email_outbox.c.recipient).where(
                email_outbox.c.mail_id == complaint.mail_id
            )
        ).first()
        if sent is not None:
            return sent.customer_id, (sent.recipient or address or "").lower() or None
    if address is None:
        return None, None
    customer_id = conn.execute(
        select(customers.c.customer_id)
        .where(func.lower(customers.c.email) == address)
        .order_by(customers.c.customer_id)
        .limit(1)
    ).scalar()
    return customer_id, address


def _suppress(conn: Connection, address: str, customer_id: str | None, at: datetime) -> None:
    """Suppress the address for good; a complaint outranks an earlier bounce as the reason."""
    values = {"customer_id": customer_id, "reason": COMPLAINT, "at": at}
    statement = dialect_insert(conn, email_suppressions).on_conflict_do_update(
        index_elements=["address"], set_={"reason": COMPLAINT}
    )
    conn.execute(statement, [{"address": address, **values}])


def _end_all(conn: Connection, customer_id: str, at: datetime) -> int:
    """End every active enrolment of the customer and cancel their queued mails."""
    active = select(email_enrolments.c.enrolment_key).where(
        email_enrolments.c.customer_id == customer_id, email_enrolments.c.state == "active"
    )
    keys = [row.enrolment_key for row in conn.execute(active)]
    if not keys:
        return 0
    conn.execute(
        update(email_enrolments)
        .where(email_enrolments.c.enrolment_key.in_(keys), email_enrolments.c.state == "active")
        .values(state="exited", exit_reason=COMPLAINT, ended_at=at)
    )
    conn.execute(
        update(email_outbox)
        .where(email_outbox.c.enrolment_key.in_(keys), email_outbox.c.state.in_(_QUEUED))
        .values(state="cancelled", error=COMPLAINT)
    )
    return len(keys)
