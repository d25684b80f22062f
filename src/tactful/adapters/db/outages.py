"""Which database errors mean "unavailable for now" (503) rather than a bug (500), and why.

A PostgreSQL restart, a full disk or a read-only SQLite file are operating conditions, not
programming errors: the client should retry later, and the operator needs the cause in the
log. Everything else stays a 500.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

OUTAGE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)
"""The exception classes that may signal an outage; `outage_cause` decides for each one."""

_KNOWN_CAUSES = (
    ("disk is full", "the database's disk is full"),
    ("no space left", "the database's disk is full"),
    ("readonly database", "the database file is read-only"),
    ("read-only", "the database is read-only"),
    ("database is locked", "the database stayed locked by another writer"),
    ("unable to open database", "the database file cannot be opened"),
    ("connection refused", "the database refuses connections"),
    ("server closed the connection", "the database closed the connection"),
    ("terminating connection", "the database is shutting down"),
    ("the database system is", "the database is starting up or shutting down"),
    ("connection timeout", "the database did not answer in time"),
)


def outage_cause(error: BaseException) -> str | None:
    """A short, secret-free cause when `error` means the database is unavailable, else None."""
    if not isinstance(error, DBAPIError):
        return None
    outage = isinstance(error, OUTAGE_ERRORS) or error.connection_invalidated
    if not outage:
        return None
    message = str(error.orig if error.orig is not None else error).lower()
    for fragment, cause in _KNOWN_CAUSES:
        if fragment in message:
            return cause
    return "the database is unavailable (" + type(error.orig or error).__name__ + ")"
