"""How a claimed mail ended: its row, then the next step or the enrolment's end, in one
transaction (mixed into the SQL email store).

The statements are module constants with bound parameters, so SQLAlchemy's compiled cache
answers them without building and hashing a statement per mail. On PostgreSQL the writes are
one autocommitted statement (data-modifying CTEs): one round trip per mail. Inside
`batch_writes()` (a worker's batch) every outcome goes through one held connection, so a mail
costs no pool checkout, and on PostgreSQL no pre-ping (a round trip, a transaction begun and
rolled back). Each outcome still commits on its own: a crash repeats at most the mail in flight.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    String,
    bindparam,
    exists,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from tactful.adapters.db.tables import Timestamp
from tactful.adapters.db.tables_email import email_enrolments, email_outbox
from tactful.services.ports.email import ClaimedMail, NewMail, Outcome

OPEN = "due"


def mail_row(mail: NewMail, stamp: Callable[[datetime], Any] = lambda at: at) -> dict[str, Any]:
    """The outbox row of a mail to send (`stamp` converts times for `bulk_insert`)."""
    return {
        "enrolment_key": mail.enrolment_key,
        "step": mail.step,
        "customer_id": mail.customer_id,
        "due_at": stamp(mail.due_at),
        "state": OPEN,
        "attempts": 0,
    }


_OUTCOME = (
    update(email_outbox)
    .where(
        email_outbox.c.mail_id == bindparam("w_mail_id"),
        email_outbox.c.claim_token == bindparam("w_token"),
    )
    .values(
        state=bindparam("o_state", type_=String),
        sent_at=bindparam("o_sent_at", type_=Timestamp),
        recipient=bindparam("o_recipient", type_=String),
        subject=bindparam("o_subject", type_=String),
        offered=bindparam("o_offered", type_=email_outbox.c.offered.type),
        error=bindparam("o_error", type_=String),
        lease_until=None,
    )
)
"""The claimed mail's outcome, written only while this worker's claim token holds."""

END = (
    update(email_enrolments)
    .where(
        email_enrolments.c.enrolment_key == bindparam("e_key"),
        email_enrolments.c.state == "active",
    )
    .values(
        state=bindparam("e_state", type_=String),
        exit_reason=bindparam("e_reason", type_=String),
        ended_at=bindparam("e_at", type_=Timestamp),
    )
)
"""An active enrolment ends (done or exited)."""

_NEXT_SQLITE = sqlite.insert(email_outbox).on_conflict_do_nothing()


def _pg_finish(then: bool, ends: bool) -> Any:
    """PostgreSQL: the outcome, then the next mail or the enrolment's end only if the outcome
    was written (data-modifying CTEs, atomic as one statement); selects 1 if it was."""
    done = _OUTCOME.returning(email_outbox.c.mail_id).cte("done")
    written = exists(select(done.c.mail_id))
    query = select(func.count()).select_from(done)
    if then:
        values = select(
            bindparam("n_key", type_=String),
            bindparam("n_step", type_=Integer),
            bindparam("n_customer", type_=String),
            bindparam("n_due", type_=Timestamp),
            literal(OPEN, String),
            literal(0, Integer),
        ).where(written)
        columns = ["enrolment_key", "step", "customer_id", "due_at", "state", "attempts"]
        scheduled = (
            postgresql.insert(email_outbox).from_select(columns, values).on_conflict_do_nothing()
        )
        return query.add_cte(scheduled.cte("scheduled"))
    if not ends:
        return query
    ended = (
        update(email_enrolments)
        .where(
            email_enrolments.c.enrolment_key == bindparam("e_key"),
            email_enrolments.c.state == "active",
            written,
        )
        .values(state="done", exit_reason=None, ended_at=bindparam("e_at", type_=Timestamp))
    )
    return query.add_cte(ended.cte("ended"))


_PG_FINISH = {
    (then, ends): _pg_finish(then, ends) for then in (True, False) for ends in (True, False)
}


def _parameters(mail: ClaimedMail, outcome: Outcome, then: NewMail | None) -> dict[str, Any]:
    params = {
        "w_mail_id": mail.mail_id,
        "w_token": mail.claim_token,
        "o_state": outcome.state,
        "o_sent_at": outcome.at if outcome.state == "sent" else None,
        "o_recipient": outcome.recipient,
        "o_subject": outcome.subject,
        "o_offered": list(outcome.offered),
        "o_error": outcome.error,
        "e_key": mail.enrolment_key,
        "e_state": "done",
        "e_reason": None,
        "e_at": outcome.at,
    }
    if then is not None:
        params |= {
            "n_key": then.enrolment_key,
            "n_step": then.step,
            "n_customer": then.customer_id,
            "n_due": then.due_at,
        }
    return params


def _record(conn: Connection, mail: ClaimedMail, outcome: Outcome, then: NewMail | None) -> bool:
    """The outcome and what follows it, committed; False when the claim was taken over."""
    params = _parameters(mail, outcome, then)
    ends = then is None and outcome.state != "cancelled"
    with conn.begin():
        if conn.dialect.name == "postgresql":
            statement = _PG_FINISH[(then is not None, ends)]
            return bool(conn.execute(statement, params).scalar())
        if not conn.execute(_OUTCOME, params).rowcount:
            return False
        if then is not None:
            conn.execute(_NEXT_SQLITE, mail_row(then))
        elif ends:
            conn.execute(END, params)
        return True


class EmailOutcomes:
    """`finish` and `batch_writes` of the SQL email store."""

    engine: Engine
    _held: threading.local
    """Per thread: the connection `batch_writes` holds, if any (a worker is one thread)."""

    @contextmanager
    def batch_writes(self) -> Iterator[None]:
        """Record the outcomes finished inside through one connection (a batch of mails)."""
        if getattr(self._held, "connection", None) is not None:
            yield
            return
        with self._autocommitting() as conn:
            self._held.connection = conn
            try:
                yield
            finally:
                self._held.connection = None

    def _autocommitting(self) -> Connection:
        """A connection; on PostgreSQL in autocommit, so one statement is one round trip."""
        conn = self.engine.connect()
        if self.engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT")
        return conn

    def finish(self, mail: ClaimedMail, outcome: Outcome, then: NewMail | None) -> bool:
        """Record how a claimed mail ended and schedule the next step, in one transaction."""
        held: Connection | None = getattr(self._held, "connection", None)
        if held is not None:
            return _record(held, mail, outcome, then)
        with self._autocommitting() as conn:
            return _record(conn, mail, outcome, then)
