"""`SequenceReportReads` on SQL: two grouped queries, enrolments and sent mails per version."""

from __future__ import annotations

from sqlalchemy import Engine, case, exists, func, select

from tactful.adapters.db.tables_email import email_enrolments, email_interactions, email_outbox
from tactful.adapters.db.tables_email_feedback import email_opens
from tactful.services.ports.email_report import VersionCounts

_E, _O = email_enrolments, email_outbox
_ENROLLED = select(
    _E.c.sequence_id,
    _E.c.version,
    func.count().label("enrolled"),
    func.sum(case((_E.c.held_out, 1), else_=0)).label("held_out"),
).group_by(_E.c.sequence_id, _E.c.version)
_CLICKED = exists().where(
    email_interactions.c.mail_id == _O.c.mail_id, email_interactions.c.kind == "click"
)
_SENT = (
    select(
        _E.c.sequence_id,
        _E.c.version,
        func.count().label("sent"),
        func.sum(case((_CLICKED, 1), else_=0)).label("clicked"),
        func.count(email_opens.c.mail_id).label("opened"),
    )
    .select_from(
        _O.join(_E, _E.c.enrolment_key == _O.c.enrolment_key).outerjoin(
            email_opens, email_opens.c.mail_id == _O.c.mail_id
        )
    )
    .where(_O.c.state == "sent")
    .group_by(_E.c.sequence_id, _E.c.version)
)


class SqlSequenceReport:
    """Counts per sequence version from the enrolments, the outbox, clicks and opens."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def version_counts(self) -> list[VersionCounts]:
        with self.engine.connect() as conn:
            enrolled = {(r.sequence_id, r.version): r for r in conn.execute(_ENROLLED)}
            sent = {(r.sequence_id, r.version): r for r in conn.execute(_SENT)}
        found = []
        for key in sorted(enrolled):
            mails = sent.get(key)
            found.append(
                VersionCounts(
                    key[0],
                    key[1],
                    int(enrolled[key].enrolled),
                    int(enrolled[key].held_out or 0),
                    int(mails.sent) if mails is not None else 0,
                    int(mails.clicked or 0) if mails is not None else 0,
                    int(mails.opened) if mails is not None else 0,
                )
            )
        return found
