"""What a customer did since the last offer mail of an enrolment: bought, clicked or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine, func, select

from tactful.adapters.db.tables import orders
from tactful.adapters.db.tables_email import email_interactions, email_outbox
from tactful.domain.sequences.branches import Reaction, reaction


class EmailReactions:
    """Reads behind sequence branches (mixed into the SQL email store)."""

    engine: Engine

    def reaction(
        self, enrolment_key: str, customer_id: str, since: datetime, offer_steps: Sequence[int]
    ) -> Reaction:
        """The strongest reaction after the enrolment's last offer mail sent (one of
        `offer_steps`), or after `since` when none was sent."""
        with self.engine.connect() as conn:
            last_offer = conn.execute(
                select(func.max(email_outbox.c.sent_at)).where(
                    email_outbox.c.enrolment_key == enrolment_key,
                    email_outbox.c.state == "sent",
                    email_outbox.c.step.in_(list(offer_steps)),
                )
            ).scalar()
            anchor = max(since, last_offer) if last_offer is not None else since
            bought = conn.execute(
                select(func.count())
                .select_from(orders)
                .where(orders.c.customer_id == customer_id, orders.c.created_at > anchor)
            ).scalar()
            mails = select(email_outbox.c.mail_id).where(
                email_outbox.c.enrolment_key == enrolment_key
            )
            clicked = conn.execute(
                select(func.count())
                .select_from(email_interactions)
                .where(
                    email_interactions.c.kind == "click",
                    email_interactions.c.mail_id.in_(mails),
                    email_interactions.c.at > anchor,
                )
            ).scalar()
        return reaction(clicked=bool(clicked), bought=bool(bought))
