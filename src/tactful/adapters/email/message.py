"""MIME: a rendered mail as bytes (multipart/alternative, text first), DKIM-signed if asked.

`to_bytes` writes the wire form directly (headers folded and RFC 2047-encoded when not ASCII,
both parts quoted-printable UTF-8, a boundary that quoted-printable cannot produce): the
`email` package's header registry cost more CPU per mail than rendering and SMTP together.
`build_message` gives the same mail as an `EmailMessage` (tests check the two agree).
"""

from __future__ import annotations

import binascii
import secrets
from dataclasses import dataclass
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, localtime, parseaddr
from functools import lru_cache
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


_ADDRESS_HEADERS = frozenset({"from", "to", "reply-to", "sender", "cc"})
_MAX_LINE = 78


def _fold(line: str) -> str:
    """An ASCII header line folded at spaces so lines stay within 78 characters if they can."""
    if len(line) <= _MAX_LINE:
        return line
    name, _, value = line.partition(": ")
    first, *words = value.split(" ")
    lines, current = [], f"{name}: {first}"
    for word in words:
        if word and len(current) + 1 + len(word) > _MAX_LINE:
            lines.append(current)
            current = " " + word
        else:
            current = f"{current} {word}"
    lines.append(current)
    return "\r\n".join(lines)


@lru_cache(maxsize=1024)
def _address(value: str) -> str:
    """The address header's value, checked and encoded (the sender's is the same every mail)."""
    name, address = parseaddr(value)
    if not address:
        raise ValueError(f"not an address: {value!r}")
    return formataddr((name, address), charset="utf-8")


def _header(name: str, value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError(f"header {name}: values may not contain line breaks")
    if name.lower() in _ADDRESS_HEADERS:
        value = _address(value)
    elif not value.isascii():
        encoded = Header(value, "utf-8", header_name=name).encode(linesep="\r\n")
        return f"{name}: {encoded}"
    return _fold(f"{name}: {value}")


def _part(subtype: str, body: str) -> str:
    crlf = body.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    if not crlf.endswith("\r\n"):
        crlf += "\r\n"
    encoded = binascii.b2a_qp(crlf.encode("utf-8"), istext=True).decode("ascii")
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        f"{encoded}\r\n"
    )


def to_bytes(mail: OutgoingMail, dkim_key: DkimKey | None = None) -> bytes:
    """The wire form of a mail (CRLF line ends), signed when a key is given."""
    boundary = f"=_{secrets.token_hex(16)}"
    fields = [
        ("From", mail.sender),
        ("To", mail.to),
        ("Subject", mail.subject),
        ("Date", format_datetime(localtime())),
        *mail.headers.items(),
    ]
    head = "".join(f"{_header(name, value)}\r\n" for name, value in fields)
    raw = (
        f"{head}MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\n{_part('plain', mail.text)}"
        f"--{boundary}\r\n{_part('html', mail.html)}"
        f"--{boundary}--\r\n"
    ).encode("ascii")
    return dkim_key.sign(raw) if dkim_key is not None else raw
