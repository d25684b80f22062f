"""Email adapters: Jinja2 templates, MIME building with DKIM, SMTP and file mailers."""

from tactful.adapters.email.mailers import FileMailer, MemoryMailer, SmtpMailer, mailer_for
from tactful.adapters.email.message import DkimKey, build_message, to_bytes
from tactful.adapters.email.templates import JinjaMailTemplates

__all__ = [
    "DkimKey",
    "FileMailer",
    "JinjaMailTemplates",
    "MemoryMailer",
    "SmtpMailer",
    "build_message",
    "mailer_for",
    "to_bytes",
]
