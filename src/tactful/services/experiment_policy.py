"""What a customer's experiment arms change in one decision: the offer policy (max offers,
headline, discount), the presentation format, and the arms to log with the decision.

The running experiments are read at most every `refresh` seconds (each process follows a
create or stop within that; the process that made it at once). A customer held out by the
global holdout is in no experiment: they get the base policy, no arms are logged, and
they are left out of every result.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from tactful.domain.experiment_rules import Arm, arms_for
from tactful.domain.experiments import Experiment, assign
from tactful.domain.offers import OfferPolicy
from tactful.services.ports.experiments import ExperimentStore

__all__ = ["NO_ARMS", "Arms", "ExperimentPolicies", "wait_multipliers"]

EMAIL = "email"


@dataclass(frozen=True, slots=True)
class Arms:
    """The policy a decision follows, the format to render it in, and the arms behind them."""

    policy: OfferPolicy | None = None
    """None: the base policy unchanged."""
    assignments: tuple[tuple[str, str], ...] = ()
    """(experiment id, variant name) of every experiment the decision follows."""
    format: str | None = None


NO_ARMS = Arms()
_PolicyKey = tuple[int, int, str, int, str]


class ExperimentPolicies:
    """`arms(customer_id, moment, base)`: what the customer's arms of the running experiments
    that apply at `moment` make of `base`. Arms of different layers combine: the tightest
    `max_offers`; for headline, discount, allocation and format the experiment created first
    wins."""

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
        self._policies: dict[_PolicyKey, OfferPolicy] = {}

    def forget(self) -> None:
        """Read the running experiments again at the next decision (one was created/stopped)."""
        with self._lock:
            self._read_at = None

    def running(self) -> list[Experiment]:
        """The running experiments, oldest first."""
        now = self.monotonic()
        with self._lock:
            fresh = self._read_at is not None and now - self._read_at < self.refresh
            if fresh:
                return self._running
        found = [e for e in self.store.all() if e.status == "running"]
        found.sort(key=lambda e: (e.started_at, e.experiment_id))
        with self._lock:
            self._running, self._read_at = found, now
        return found

    def arms(self, customer_id: str, moment: str, base: OfferPolicy) -> Arms:
        """The customer's arms at `moment` and the policy they make of `base`."""
        found = self._found(customer_id, moment, base)
        if not found:
            return NO_ARMS
        assignments = tuple((e.experiment_id, v.name) for e, v in found)
        formats = [v.format for _e, v in found if v.format is not None]
        return Arms(self._policy(found, base), assignments, formats[0] if formats else None)

    def __call__(self, customer_id: str, base: OfferPolicy) -> OfferPolicy:
        """The policy at every moment (experiments limited to moments left out)."""
        return self.arms(customer_id, "", base).policy or base

    def wait_multiplier(self, customer_id: str, base: OfferPolicy) -> float:
        """How many times as long the customer's email sequences wait between steps."""
        found = self._found(customer_id, EMAIL, base)
        waits = [v.wait_multiplier for _e, v in found if v.wait_multiplier is not None]
        return waits[0] if waits else 1.0

    def _found(self, customer_id: str, moment: str, base: OfferPolicy) -> list[Arm]:
        running = self.running()
        if not running or assign(customer_id, base.holdout_salt, base.holdout_share):
            return []
        return arms_for(running, customer_id, moment)

    def _policy(self, found: Sequence[Arm], base: OfferPolicy) -> OfferPolicy | None:
        caps = [v.max_offers for _e, v in found if v.max_offers is not None]
        headlines = [v.headline for _e, v in found if v.headline is not None]
        discounts = [v.discount_percent for _e, v in found if v.discount_percent]
        allocations = [v.allocation for _e, v in found if v.allocation is not None]
        cap = min([base.max_offers, *caps])
        headline = headlines[0] if headlines else base.headline_style
        discount = discounts[0] if discounts else base.discount_percent
        allocation = allocations[0] if allocations else base.allocation
        key = (id(base), cap, headline, discount, allocation)
        if key == (id(base), base.max_offers, *_varied(base)):
            return None
        policy = self._policies.get(key)
        if policy is None:
            policy = replace(
                base,
                max_offers=cap,
                headline_style=headline,
                discount_percent=discount,
                allocation=allocation,
            )
            self._policies[key] = policy
        return policy


def _varied(policy: OfferPolicy) -> tuple[str, int, str]:
    """The policy's settings an arm may change besides max_offers."""
    return policy.headline_style, policy.discount_percent, policy.allocation


def wait_multipliers(source: object, base: OfferPolicy) -> Callable[[str], float]:
    """Each customer's email wait multiplier from `source` (1 unless it is experiments)."""
    if not isinstance(source, ExperimentPolicies):
        return lambda _customer_id: 1.0
    return lambda customer_id: source.wait_multiplier(customer_id, base)
