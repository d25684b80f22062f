"""Deciding offers: the path of one decision, each step a named method of `DecisionService`.

request -> `read_inputs` (the customer, their purchases and offer events, through the
`DecisionReads` port) -> `choose_offers` (the catalogue and model held in memory, the domain's
`decide`) -> `record_of` (the decision as the log keeps it) -> the `DecisionLog` port (the
API's group commit), which spends the shown-offer budget atomically with the record (so
processes cannot overspend it together) and stores the record without the offers refused.
Callers that decide one at a time use `spend_budget` (the `OfferBudget` port) and `save`.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from tactful.domain.clock import Clock, SystemClock
from tactful.domain.customers import Customer, CustomerId
from tactful.domain.offers import (
    EMPTY_AFFINITY,
    AffinitySource,
    Decision,
    DecisionContext,
    DeclinedUpsell,
    Format,
    Moment,
    OfferEvent,
    OfferKind,
    OfferPolicy,
    OfferResponse,
    PastOrder,
)
from tactful.domain.offers.engine import decide, over_budget
from tactful.domain.offers.model_source import ModelAffinity
from tactful.domain.offers.moments import uses_buy_again
from tactful.domain.offers.records import DecisionInputs, DecisionRecord, Impression
from tactful.domain.offers.thompson import ArmCounts
from tactful.domain.offers.trace_log import trace_text
from tactful.domain.webhooks_out import EventType as WebhookEvent
from tactful.services import webhook_events
from tactful.services.decision_request import DecisionRequest
from tactful.services.experiment_policy import NO_ARMS, Arms
from tactful.services.long_lived import keep_out_of_gc
from tactful.services.ports.decisions import CatalogSource, DecisionLog, DecisionReads
from tactful.services.ports.offer_budget import BudgetSpend, OfferBudget
from tactful.services.ports.storage import Database

Response = OfferResponse
"""The old name of `OfferResponse`, kept for callers until they move."""
DOWNSELL_WINDOW = timedelta(minutes=30)

RESPONSE_EVENTS = {
    OfferResponse.ACCEPTED: WebhookEvent.OFFER_ACCEPTED,
    OfferResponse.DECLINED: WebhookEvent.OFFER_DECLINED,
}


@dataclass(frozen=True, slots=True)
class ActiveModel:
    """The affinity model decisions use now, and its version for the decision log."""

    affinity: AffinitySource
    version: str | None = None


NO_MODEL = ActiveModel(EMPTY_AFFINITY, None)
ModelSource = Callable[[], ActiveModel]


class ModelCache:
    """Adapts whatever model the models part has active, wrapping each version once."""

    def __init__(self, current: Callable[[], Any]) -> None:
        self._current = current
        self._held: tuple[object, ActiveModel] | None = None

    def __call__(self) -> ActiveModel:
        loaded = self._current()
        if loaded is None:
            return NO_MODEL
        held = self._held
        if held is not None and held[0] is loaded:
            return held[1]
        active = _activate(loaded)
        self._held = (loaded, active)
        keep_out_of_gc()
        return active


def _activate(loaded: Any) -> ActiveModel:
    """A loaded model (with .model and .info.version) or an AffinitySource as ActiveModel."""
    if isinstance(loaded, ActiveModel):
        return loaded
    model = getattr(loaded, "model", None)
    if model is None:
        return ActiveModel(loaded, None)
    version = getattr(getattr(loaded, "info", None), "version", None)
    ranking = getattr(loaded, "ranking", None)
    rank_row = ranking.row_lookup(model.items) if ranking is not None else None
    return ActiveModel(ModelAffinity.from_model(model, rank_row), version)


@dataclass(frozen=True, slots=True)
class ResponseOutcome:
    """A stored response; `duplicate` when the same response had been stored before."""

    decision_id: str
    offer_id: str
    response: OfferResponse
    duplicate: bool


class ArmSource(Protocol):
    """The customer's experiment arms at a moment (`ExperimentPolicies`)."""

    def arms(self, customer_id: str, moment: str, base: OfferPolicy) -> Arms:
        """The arms, and the policy they make of `base`."""
        ...


class UnknownOfferError(LookupError):
    """The decision does not exist or never showed that offer."""


def _declined_upsell(events: Sequence[OfferEvent], now: datetime) -> DeclinedUpsell | None:
    """The one-click upsell just declined, if the latest response was that (downsell cue)."""
    answered = [e for e in events if e.response is not OfferResponse.SHOWN]
    if not answered:
        return None
    last = max(answered, key=lambda e: e.at)
    if (
        last.response is OfferResponse.DECLINED
        and last.kind is OfferKind.UPSELL
        and now - last.at <= DOWNSELL_WINDOW
    ):
        return DeclinedUpsell(sku=last.sku, for_sku=last.for_sku)
    return None


def _stored_time_zone(customer: Customer | None) -> str | None:
    """The time zone stored with the customer (POST /v1/customers), for deadlines."""
    return customer.timezone if customer is not None else None


_VALUES: dict[str, str] = {m: m.value for e in (Moment, OfferKind, Format) for m in e}
"""Each enum member's value, looked up faster than the `value` property."""


def _impressions(decision: Decision, channel: str | None) -> list[Impression]:
    decision_id, customer_id, at = decision.decision_id, decision.customer_id, decision.at
    return [
        Impression(
            decision_id,
            offer.offer_id,
            position,
            customer_id,
            _VALUES[offer.kind],
            offer.sku,
            offer.for_sku,
            _VALUES[offer.format],
            offer.price.price,
            at,
            offer.relevance,
            channel,
        )
        for position, offer in enumerate(decision.offers)
    ]


def record_of(decision: Decision, request: DecisionRequest, version: str | None) -> DecisionRecord:
    """The decision as the log keeps it: the cart asked about, every offer shown and the
    trace of every candidate."""
    return DecisionRecord(
        decision.decision_id,
        decision.customer_id,
        _VALUES[decision.moment],
        decision.at,
        decision.held_out,
        [{"sku": line.sku, "quantity": line.quantity} for line in request.cart],
        _impressions(decision, request.channel),
        request.channel,
        version,
        decision.experiments,
        trace_text(decision.trace),
    )


class _DecisionIds:
    """Ids that sort by time (the log's indexes append) with 80 unguessable bits each.

    Random bytes are drawn from the OS in blocks: one system call per 256 ids.
    """

    def __init__(self, block: int = 256) -> None:
        self._block = block
        self._lock = threading.Lock()
        self._random = b""
        self._used = 0

    def __call__(self) -> str:
        with self._lock:
            if self._used >= len(self._random):
                self._random, self._used = os.urandom(10 * self._block), 0
            start = self._used
            self._used += 10
            chunk = self._random[start : start + 10]
        return f"dec_{time.time_ns() // 1_000_000:012x}{chunk.hex()}"


new_decision_id = _DecisionIds()


@dataclass
class DecisionService:
    """Decides, logs every decision (held out too) and records responses to offers."""

    database: Database
    reads: DecisionReads
    catalog: CatalogSource
    log: DecisionLog
    policy: OfferPolicy = field(default_factory=OfferPolicy)
    model: ModelSource = lambda: NO_MODEL
    clock: Clock = field(default_factory=SystemClock)
    new_id: Callable[[], str] = new_decision_id
    budget: OfferBudget | None = None
    """The atomic budget check, the decision log's own too; None trusts the offer events
    read (one process, tests)."""
    policy_for: ArmSource | None = None
    """The customer's experiment arms and the policy they apply (services/experiment_policy)."""
    arm_counts: Callable[[], Mapping[str, ArmCounts]] = dict
    """Impressions and acceptances per offer key (services/offer_allocation), read only for
    a policy whose allocation is `thompson`."""

    def start(self) -> None:
        """Load the catalogue before the first request (server start), so the first
        customer does not wait for it: on the full Online Retail history that is 1.4 s,
        and at 500 decisions/s some 700 requests would queue behind it."""
        self.catalog.current()

    def close(self) -> None:
        """Store what the log still holds, then release what the reads hold (shutdown)."""
        self.log.close()
        self.reads.close()

    @property
    def history_window(self) -> timedelta:
        """How far back offer events can matter (cooldown, budget, quiet period)."""
        policy = self.policy
        return max(policy.cooldown, policy.budget_window, policy.upgrade_quiet_period)

    def decide(self, request: DecisionRequest) -> Decision:
        """Decide offers for the request and store the decision in its own transaction."""
        decision, record = self.decide_offers(request)
        self.save(record)
        return decision

    async def decide_logged(self, request: DecisionRequest) -> Decision:
        """Decide, then wait until the decision log has spent the budget for its offers and
        stored it (batched with others); the offers the budget refused are dropped."""
        decision, version = self.choose_offers(request)
        record = record_of(decision, request, version)
        spend = self.spend_of(decision)
        if spend is None:
            await self.log.write(record)
            return decision

        def without(refused: frozenset[str]) -> DecisionRecord:
            return record_of(over_budget(decision, refused), request, version)

        refused = await self.log.write_spending(record, spend, without)
        return over_budget(decision, refused)

    def read_inputs(self, customer_id: str, now: datetime) -> DecisionInputs:
        """What the decision reads about the customer: themselves, purchases, offer events."""
        return self.reads.read_inputs(
            customer_id,
            since=now - self.history_window,
            until=now,
            recent=now - self.policy.recent_purchase_window,
        )

    def decide_offers(self, request: DecisionRequest) -> tuple[Decision, DecisionRecord]:
        """Choose the offers, spend the budget for them, and give the record to log."""
        decision, version = self.choose_offers(request)
        decision = self.spend_budget(decision)
        return decision, record_of(decision, request, version)

    def choose_offers(self, request: DecisionRequest) -> tuple[Decision, str | None]:
        """Read the inputs and run the domain's `decide`: the decision and model version."""
        now = self.clock.now()
        model = self.model()
        inputs = self.read_inputs(request.customer_id, now)
        arms = self._arms_of(request.customer_id, request.moment)
        policy = arms.policy or self.policy
        context = DecisionContext(
            decision_id=self.new_id(),
            now=now,
            catalog=self.catalog.current(),
            affinity=model.affinity,
            policy=policy,
            task=request.task,
            channel=request.channel,
            viewing=request.viewing,
            purchases=inputs.purchases,
            offer_events=inputs.offer_events,
            declined_upsell=_declined_upsell(inputs.offer_events, now),
            expires_at=request.expires_at,
            time_zone=request.time_zone or _stored_time_zone(inputs.customer),
            orders=self._past_orders(request.customer_id, request.moment, now),
            arm_counts=self.arm_counts() if policy.allocation == "thompson" else {},
        )
        who = inputs.customer or Customer(CustomerId(request.customer_id))
        decision = decide(who, request.moment, request.cart, context)
        if arms.assignments and not decision.held_out:
            decision = replace(decision, experiments=arms.assignments, presentation=arms.format)
        return decision, model.version

    def _past_orders(
        self, customer_id: str, moment: Moment, now: datetime
    ) -> tuple[PastOrder, ...]:
        """The whole order history, read only where the moment ranks from it (email)."""
        if not uses_buy_again(moment):
            return ()
        return self.reads.past_orders(customer_id, until=now)

    def _arms_of(self, customer_id: str, moment: Moment) -> Arms:
        source = self.policy_for
        return NO_ARMS if source is None else source.arms(customer_id, moment, self.policy)

    def spend_budget(self, decision: Decision) -> Decision:
        """Spend the shown-offer budget for the offers atomically in the database.

        The domain already kept to the budget it read; a concurrent decision for the same
        customer (in this or another process) may have spent the room meanwhile, and then
        the offers the database refuses are dropped (traced as budget_exhausted).
        """
        spend = self.spend_of(decision)
        if spend is None or self.budget is None:
            return decision
        refused = self.budget.spend(
            spend.customer_id, spend.keys, at=spend.at, window=spend.window, budget=spend.budget
        )
        return over_budget(decision, refused)

    def spend_of(self, decision: Decision) -> BudgetSpend | None:
        """What showing the decision's offers spends; None when nothing is spent or checked."""
        if not decision.offers or self.budget is None:
            return None
        keys = tuple(offer.key for offer in decision.offers)
        policy = self.policy
        return BudgetSpend(
            decision.customer_id, keys, decision.at, policy.budget_window, policy.budget
        )

    def save(self, record: DecisionRecord) -> None:
        """Store one decision with its impressions in a transaction of its own."""
        with self.database.transaction() as tx:
            tx.offers.save_decision(record)

    def respond(self, decision_id: str, offer_id: str, response: OfferResponse) -> ResponseOutcome:
        """Store a response once, as a row and an offer_* event that feeds cooldowns."""
        with self.database.transaction() as tx:
            impression = tx.offers.get_impression(decision_id, offer_id)
            if impression is None:
                raise UnknownOfferError(f"decision {decision_id!r} did not show {offer_id!r}")
            now = self.clock.now()
            stored = tx.offers.save_response(impression, response, at=now)
            event = RESPONSE_EVENTS.get(response)
            if stored and event is not None:
                webhook_events.offer_response(tx.outbox, event, decision_id, offer_id, now)
        return ResponseOutcome(decision_id, offer_id, response, duplicate=not stored)
