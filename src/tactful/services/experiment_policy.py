"""The offer policy a customer's experiment arms apply, for each decision.

The running experiments are read at most every `refresh` seconds (each process follows a
create or stop within that; the process that made it at once). A customer held out by the
global holdout gets no offers whatever their arm, and is left out of every result.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace

from tactful.domain.experiments import Experiment
from tactful.domain.offers import OfferPolicy
from tactful.services.ports.experiments import ExperimentStore

__all__ = ["ExperimentPolicies"]


class ExperimentPolicies:
    """`policy_for(customer_id, base)`: `base` with the tightest `max_offers` among the
    customer's arms of the running experiments (`base` itself when no arm sets one)."""

    def __init__(
        self,
        store: ExperimentStore,
        *,
        refresh: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.refresh = refresh
        self.monotonic = monotonic
        self._lock = threading.Lock()
        self._running: list[Experiment] = []
        self._read_at: float | None = None
        self._capped: dict[tuple[int, int], OfferPolicy] = {}

    def forget(self) -> None:
        """Read the running experiments again at the next decision (one was created/stopped)."""
        with self._lock:
            self._read_at = None

    def running(self) -> list[Experiment]:
        now = self.monotonic()
        with self._lock:
            fresh = self._read_at is not None and now - self._read_at < self.refresh
            if fresh:
                return self._running
        found = [e for e in self.store.all() if e.status == "running"]
        with self._lock:
            self._running, self._read_at = found, now
        return found

    def __call__(self, customer_id: str, base: OfferPolicy) -> OfferPolicy:
        caps = [
            cap
            for experiment in self.running()
            if (cap := experiment.variant_of(customer_id).max_offers) is not None
        ]
        if not caps or min(caps) >= base.max_offers:
            return base
        key = (id(base), min(caps))
        policy = self._capped.get(key)
        if policy is None:
            policy = self._capped[key] = replace(base, max_offers=min(caps))
        return policy
