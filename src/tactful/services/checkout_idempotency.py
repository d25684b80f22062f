"""Request-level exactly-once: a key's first result is stored and returned to every repeat."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from tactful.domain.clock import Clock
from tactful.services.ports.storage import Database

WAIT_SECONDS = 15.0
POLL_SECONDS = 0.05
MAX_KEY_LENGTH = 255


class IdempotencyError(Exception):
    """A request cannot be carried out under its idempotency key; `status` is the HTTP code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of a charge-causing request, stored under its idempotency key."""

    status: str
    http_status: int
    order_id: str | None = None
    offer_id: str | None = None
    charge_id: str | None = None
    message: str = ""
    error_field: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Outcome:
        """Read back what `to_dict` wrote."""
        return cls(**values)


def check_key(key: str | None) -> str:
    """The key, or a 400 error when it is missing or unusable."""
    if key is None or not key.strip():
        raise IdempotencyError(
            400, "idempotency_key_required", "Idempotency-Key: required on every payment request"
        )
    key = key.strip()
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise IdempotencyError(400, "idempotency_key_invalid", "Idempotency-Key: too long")
    return key


def run_once(
    database: Database,
    clock: Clock,
    key: str,
    fingerprint: str,
    work: Callable[[], Outcome],
    *,
    wait_seconds: float = WAIT_SECONDS,
    resume_after: timedelta | None = None,
) -> Outcome:
    """Run `work` the first time `key` is seen; a repeat gets the first Outcome.

    A repeat with another fingerprint gets 422; one arriving while the first is still running
    waits for its result, or gets 409 if it does not come within `wait_seconds`. With
    `resume_after`, `work` must be safe to run again: a repeat finding the key in flight for
    longer than that (its process died) takes the key over and runs `work` to the end.
    """
    with database.transaction() as tx:
        claimed = tx.checkout.claim_key(key, fingerprint, at=clock.now())
    if not claimed:
        once = _Once(database, clock, key, fingerprint, work)
        return once.first_result(wait_seconds, resume_after)
    return _run_and_store(database, clock, key, work)


def _run_and_store(
    database: Database, clock: Clock, key: str, work: Callable[[], Outcome]
) -> Outcome:
    try:
        outcome = work()
    except BaseException:
        with database.transaction() as tx:
            tx.checkout.release_key(key)
        raise
    with database.transaction() as tx:
        tx.checkout.complete_key(key, outcome.to_dict(), at=clock.now())
    return outcome


@dataclass(frozen=True, slots=True)
class _Once:
    """A repeat of a claimed key: its first result, once there is one."""

    database: Database
    clock: Clock
    key: str
    fingerprint: str
    work: Callable[[], Outcome]

    def first_result(self, wait_seconds: float, resume_after: timedelta | None) -> Outcome:
        deadline = time.monotonic() + wait_seconds
        while True:
            with self.database.transaction() as tx:
                stored = tx.checkout.get_key(self.key)
            if stored is not None and stored.fingerprint != self.fingerprint:
                raise IdempotencyError(
                    422,
                    "idempotency_key_reused",
                    "Idempotency-Key: already used for a different request",
                )
            if stored is not None and stored.result is not None:
                return Outcome.from_dict(stored.result)
            if stored is not None and resume_after is not None and self._retake(resume_after):
                return _run_and_store(self.database, self.clock, self.key, self.work)
            if time.monotonic() >= deadline:
                raise IdempotencyError(
                    409, "request_in_progress", "A request with this Idempotency-Key is in progress"
                )
            time.sleep(POLL_SECONDS)

    def _retake(self, resume_after: timedelta) -> bool:
        now = self.clock.now()
        with self.database.transaction() as tx:
            return tx.checkout.retake_key(self.key, before=now - resume_after, at=now)
