"""Work a worker does when it is due: email sends today, webhooks and others alongside.

Each part registers a `DueWork` in `Container.due_work`; `tactful worker` calls `run_due(now)`
on each in turn, as often as it likes: every run does what is due at `now` and no more.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
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
