"""Work a worker does when it is due: email sends today, webhooks and others alongside.

Each part registers a `DueWork` in `Container.due_work`; `tactful worker` calls `run_due(now)`
on each in turn, as often as it likes: every run does what is due at `now` and no more.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Protocol

log = logging.getLogger("tactful.worker")


class DueWork(Protocol):
    """One kind of scheduled work; `run_due` returns how many items it handled."""

    name: str

    def run_due(self, now: datetime) -> int: ...


def run_all(work: Iterable[DueWork], now: datetime) -> dict[str, int]:
    """Run every part's due work at `now`; one part failing does not stop the others."""
    handled: dict[str, int] = {}
    for part in work:
        try:
            handled[part.name] = part.run_due(now)
        except Exception:  # a broken part is logged; the rest still runs
            log.exception("due work %s failed", part.name)
            handled[part.name] = -1
    return handled


def run_until(
    work: Iterable[DueWork],
    now: Callable[[], datetime],
    interval: float,
    stop: threading.Event,
    report: Callable[[datetime, dict[str, int]], None] = lambda _at, _handled: None,
) -> None:
    """Run the due work every `interval` seconds until `stop` is set (worker, demo thread)."""
    parts = list(work)
    while True:
        at = now()
        report(at, run_all(parts, at))
        if stop.wait(interval):
            return
