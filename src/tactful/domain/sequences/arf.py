"""Feedback reports (ARF, RFC 5965): a mailbox provider telling us a recipient hit "spam".

A report is a `multipart/report; report-type=feedback-report` message with a human-readable
part, a `message/feedback-report` part (fields such as `Feedback-Type`, `Original-Rcpt-To`,
`Removal-Recipient`, `Arrival-Date`) and the reported message, whole (`message/rfc822`) or its
headers only (`text/rfc822-headers`). Providers often redact the recipient, so the mail is
found from our own headers in the reported message (`X-Tactful-Mail`, the Message-ID
`<tactful-ID@domain>`), and the address from the report's fields or the reported `To`.
"""

from __future__ import annotations

import email.parser
import email.policy
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

NOT_COMPLAINTS = frozenset({"not-spam", "auth-failure"})
"""Feedback types that are no complaint: a "this is not spam" vote, a DMARC failure report."""

_OUR_MESSAGE_ID = re.compile(r"<tactful-(\d{1,18})@")


class ArfError(ValueError):
    """Not a usable feedback report; `field` names what is missing or wrong."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True, slots=True)
class FeedbackReport:
    """What a report says: its type, the mail it is about (ours, if found) and the address."""

    report_id: str
    feedback_type: str
    mail_id: int | None
    address: str | None
    arrived_at: datetime | None
    user_agent: str

    @property
    def is_complaint(self) -> bool:
        """abuse, fraud, virus, other (and unknown types) count; not-spam does not."""
        return self.feedback_type not in NOT_COMPLAINTS


def _headers(text: str) -> Message:
    return email.parser.HeaderParser(policy=email.policy.compat32).parsestr(text.lstrip())


def _part_headers(part: Message) -> Message:
    """The fields of a message/feedback-report or the headers of the reported message."""
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return payload[0]
    raw = part.get_payload(decode=True)
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(payload)
    return _headers(text)


def _parts(report: Message) -> tuple[Message, Message | None]:
    """(the feedback fields, the reported message's headers or None)."""
    fields = original = None
    for part in report.walk():
        kind = part.get_content_type()
        if kind == "message/feedback-report" and fields is None:
            fields = _part_headers(part)
        elif kind in ("message/rfc822", "text/rfc822-headers") and original is None:
            original = _part_headers(part)
    if fields is None:
        raise ArfError("message/feedback-report", "no feedback-report part: not an ARF report")
    return fields, original


def _mail_id(original: Message | None) -> int | None:
    if original is None:
        return None
    marked = str(original.get("X-Tactful-Mail", "")).strip()
    if marked.isdigit():
        return int(marked)
    found = _OUR_MESSAGE_ID.search(str(original.get("Message-ID", "")))
    return int(found.group(1)) if found else None


def _address(fields: Message, original: Message | None) -> str | None:
    candidates = [*fields.get_all("Removal-Recipient", []), fields.get("Original-Rcpt-To", "")]
    if original is not None:
        candidates.append(original.get("To", ""))
    for candidate in candidates:
        for _name, address in getaddresses([str(candidate)]):
            if "@" in address and not address.startswith("redacted"):
                return address.strip().lower()
    return None


def _arrival(fields: Message) -> datetime | None:
    text = fields.get("Arrival-Date") or fields.get("Received-Date")
    if not text:
        return None
    try:
        return parsedate_to_datetime(str(text))
    except (TypeError, ValueError):
        return None


def parse_feedback_report(raw: bytes) -> FeedbackReport:
    """Read one ARF message; ArfError naming the part or field when it is not one."""
    report = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(raw)
    fields, original = _parts(report)
    feedback_type = str(fields.get("Feedback-Type", "")).strip().lower()
    if not feedback_type:
        raise ArfError("Feedback-Type", "the feedback-report part has no Feedback-Type")
    report_id = str(report.get("Message-ID", "")).strip()
    return FeedbackReport(
        report_id=report_id,
        feedback_type=feedback_type,
        mail_id=_mail_id(original),
        address=_address(fields, original),
        arrived_at=_arrival(fields),
        user_agent=str(fields.get("User-Agent", "")).strip(),
    )
