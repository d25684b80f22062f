"""MIME: a rendered mail as bytes (multipart/alternative, text first), DKIM-signed if asked."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, localtime
from pathlib import Path

import dkim

from tactful.services.ports.email import OutgoingMail

SIGNED_HEADERS = (
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
)


@dataclass(frozen=True)
class DkimKey:
    """A DKIM private key with its selector and domain (d=)."""

    selector: str
    domain: str
    private_key: bytes

    @classmethod
    def from_file(cls, path: Path, selector: str, domain: str) -> DkimKey:
        """Read a PEM key file."""
        return cls(selector, domain, path.read_bytes())

    def sign(self, message: bytes) -> bytes:
        """The message with a DKIM-Signature header first (covering List-Unsubscribe too)."""
        signature = dkim.sign(
            message,
            self.selector.encode(),
            self.domain.encode(),
            self.private_key,
            include_headers=list(SIGNED_HEADERS),
        )
        return bytes(signature) + message


def build_message(mail: OutgoingMail) -> EmailMessage:
    """The MIME message of a rendered mail."""
    message = EmailMessage(policy=SMTP)
    message["From"] = mail.sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(localtime())
    for name, value in mail.headers.items():
        message[name] = value
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


def to_bytes(mail: OutgoingMail, dkim_key: DkimKey | None = None) -> bytes:
    """The wire form of a mail (CRLF line ends), signed when a key is given."""
    raw = build_message(mail).as_bytes()
    return dkim_key.sign(raw) if dkim_key is not None else raw
