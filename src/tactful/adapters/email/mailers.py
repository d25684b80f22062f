"""Mailers: SMTP (smtp:// with STARTTLS, smtps://, auth), `.eml` files, and memory (tests).

`TACTFUL_SMTP_URL` picks one: `smtp://user:pass@host:587`, `smtps://host:465`,
`smtp://host:25?starttls=false`, or `file:var/outbox`.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import threading
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from tactful.adapters.email.message import DkimKey, to_bytes
from tactful.services.ports.email import (
    Mailer,
    MailPermanentError,
    MailTemporaryError,
    OutgoingMail,
)

_TEMPORARY = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError)


class SmtpMailer:
    """Sends through one SMTP connection, reopened when it drops; 4xx wait, 5xx bounce."""

    def __init__(self, url: str, dkim_key: DkimKey | None = None, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError(f"TACTFUL_SMTP_URL: use smtp://, smtps:// or file:, got {url!r}")
        options = parse_qs(parts.query)
        self.implicit_tls = parts.scheme == "smtps"
        self.starttls = options.get("starttls", ["auto"])[0]
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.implicit_tls else 587)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.verify = options.get("verify", ["true"])[0] != "false"
        self.dkim_key, self.timeout = dkim_key, timeout
        self._conn: smtplib.SMTP | None = None
        self._lock = threading.Lock()

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if not self.verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def _connect(self) -> smtplib.SMTP:
        if self.implicit_tls:
            conn: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=self._context()
            )
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            conn.ehlo()
            wants_tls = self.starttls == "true" or (
                self.starttls == "auto" and conn.has_extn("starttls")
            )
            if wants_tls:
                conn.starttls(context=self._context())
                conn.ehlo()
        if self.user:
            conn.login(self.user, self.password or "")
        return conn

    def send(self, mail: OutgoingMail) -> None:
        """Deliver one mail; MailTemporaryError or MailPermanentError when refused."""
        data = to_bytes(mail, self.dkim_key)
        with self._lock:
            try:
                if self._conn is None:
                    self._conn = self._connect()
                self._conn.sendmail(mail.sender, [mail.to], data)
            except smtplib.SMTPRecipientsRefused as exc:
                code = next(iter(exc.recipients.values()))[0]
                raise _by_code(code, str(exc)) from exc
            except smtplib.SMTPResponseException as exc:
                self.close_quietly()
                raise _by_code(exc.smtp_code, str(exc)) from exc
            except _TEMPORARY as exc:
                self.close_quietly()
                raise MailTemporaryError(f"{type(exc).__name__}: {exc}") from exc

    def close_quietly(self) -> None:
        """Drop the connection (the next send opens a new one)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()


def _by_code(code: int, detail: str) -> Exception:
    if 500 <= code < 600:
        return MailPermanentError(detail)
    return MailTemporaryError(detail)


class FileMailer:
    """Writes each mail as `<mail_id>.eml` in a folder (the demo's outbox); rewrites are atomic."""

    def __init__(self, folder: Path, dkim_key: DkimKey | None = None) -> None:
        self.folder, self.dkim_key = folder, dkim_key

    def send(self, mail: OutgoingMail) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{mail.mail_id}.eml"
        partial = target.with_suffix(f".eml.{os.getpid()}.part")
        partial.write_bytes(to_bytes(mail, self.dkim_key))
        os.replace(partial, target)


class MemoryMailer:
    """Keeps mails in a list (tests); `fail_with` makes every send raise."""

    def __init__(self) -> None:
        self.sent: list[OutgoingMail] = []
        self.fail_with: Exception | None = None

    def send(self, mail: OutgoingMail) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append(mail)


def mailer_for(url: str, default_folder: Path, dkim_key: DkimKey | None = None) -> Mailer:
    """The mailer `TACTFUL_SMTP_URL` names; empty means `.eml` files in `default_folder`."""
    if not url:
        return FileMailer(default_folder, dkim_key)
    if url.startswith("file:"):
        return FileMailer(Path(url.removeprefix("file:").removeprefix("//")), dkim_key)
    return SmtpMailer(url, dkim_key)
