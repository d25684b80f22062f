"""What the inbox tells us back: complaints from feedback loops, and (optional) opens.

A complaint (an ARF report from a provider's feedback loop, RFC 5965) suppresses the address
and ends every sequence of the customer at once, queued mails included; the same report read
twice changes nothing more. An open is the optional tracking pixel's first load: recorded once
per mail, with no IP address or user agent. Opens are unreliable (Apple Mail Privacy
Protection loads every image on delivery, other clients block images), so nothing depends on
them: no branch, exit or cap reads them; the per-sequence report shows them, labelled.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from tactful.domain.clock import Clock
from tactful.domain.sequences.arf import FeedbackReport, parse_feedback_report
from tactful.services.email_actions import UNSUBSCRIBE
from tactful.services.email_compose import EmailConfig, verify
from tactful.services.ports.email_feedback import Complaint, ComplaintOutcome, EmailFeedbackStore
from tactful.services.webhooks_out import message_body


@dataclass(frozen=True, slots=True)
class ReportOutcome:
    """One report read: what it said and, if it was a complaint, what it did."""

    report: FeedbackReport
    outcome: ComplaintOutcome | None

    @property
    def summary(self) -> str:
        """One line for a log or the CLI."""
        report, outcome = self.report, self.outcome
        if outcome is None:
            return f"{report.feedback_type}: not a complaint, nothing done"
        who = outcome.customer_id or "no known customer"
        if not outcome.new:
            return f"{report.feedback_type}: {outcome.address} ({who}) already recorded"
        return (
            f"{report.feedback_type}: {outcome.address or 'no address'} ({who}) suppressed, "
            f"{outcome.ended} sequence(s) ended"
        )


def report_key(report: FeedbackReport, raw: bytes) -> str:
    """The report's identity: its Message-ID, else a digest of the bytes."""
    if report.report_id:
        return report.report_id
    return "sha256:" + hashlib.sha256(raw).hexdigest()


@dataclass
class EmailFeedback:
    """Complaints and opens, each recorded once."""

    store: EmailFeedbackStore
    config: EmailConfig
    clock: Clock

    def complaint(self, raw: bytes) -> ReportOutcome:
        """Read one ARF report and act on it; ArfError when it is not one."""
        report = parse_feedback_report(raw)
        if not report.is_complaint:
            return ReportOutcome(report, None)
        complaint = Complaint(
            key=report_key(report, raw),
            mail_id=report.mail_id,
            address=report.address,
            feedback_type=report.feedback_type,
            user_agent=report.user_agent,
            at=self.clock.now(),
        )
        return ReportOutcome(report, self.store.record_complaint(complaint, self._unsubscribed))

    def _unsubscribed(self, customer_id: str) -> tuple[str, str]:
        """The `unsubscribe` webhook a complaint publishes, as an unsubscribe would."""
        data = {"customer_id": customer_id, "mail_id": None, "preference": "none"}
        return UNSUBSCRIBE.value, message_body(UNSUBSCRIBE, data, self.clock.now())

    def opened(self, mail_id: int, mac: str) -> bool:
        """Record a signed pixel load; False for a bad signature or a repeat."""
        if not verify(self.config, "open", mac, str(mail_id)):
            return False
        return self.store.record_open(mail_id, self.clock.now())

    def first_open(self, mail_id: int) -> datetime | None:
        """When the pixel first loaded for the mail, if ever."""
        return self.store.opened(mail_id)
