"""Deciding offers: load what a decision needs, call the domain, log the decision and impressions.

Per decision: the catalogue and model come from memory; the customer, their purchases (kept
in memory while their orders are unchanged) and their recent offer events are read with
small indexed queries. `decide` writes the decision and its impressions in its own
transaction; `decide_logged` (the API) hands them to the decision log's group commit and
returns once they are stored.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from tactful.adapters.db.repositories import catalog as catalog_repo
from tactful.adapters.db.repositories import offers as offers_repo
from tactful.adapters.db.tables import bundles, products
from tactful.domain.clock import Clock, SystemClock
from tactful.domain.customers import Customer, CustomerId
from tactful.domain.offers import (
    EMPTY_AFFINITY,
    AffinitySource,
    Decision,
    DecisionContext,
    DeclinedUpsell,
    Format,
    ModelAffinity,
    Moment,
    OfferCatalog,
    OfferEvent,
    OfferKind,
    OfferPolicy,
    OfferResponse,
    decide,
)
from tactful.services.decision_log import DecisionLog
from tactful.services.decision_reads import PurchaseCache, ReadConnections, read_inputs
from tactful.services.decision_request import DecisionRequest

_log = logging.getLogger(__name__)
Response = offers_repo.Response
DOWNSELL_WINDOW = timedelta(minutes=30)


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
    response: offers_repo.Response
    duplicate: bool


class UnknownOfferError(LookupError):
    """The decision does not exist or never showed that offer."""


class CatalogCache:
    """The catalogue indexed in memory, so a decision reads no product rows.

    An upsert through this process reloads it before the upsert's request returns
    (`reload`); changes by other processes (importers, other workers) are noticed by a cheap
    stamp query every `recheck` seconds and reloaded in a background thread, so decisions
    never wait for a reload except the very first one.
    """

    def __init__(self, engine: Engine, *, recheck: float = 2.0) -> None:
        self._engine = engine
        self._recheck = recheck
        self._lock = threading.Lock()
        self._catalog: OfferCatalog | None = None
        self._stamp: tuple[object, ...] | None = None
        self._checked = 0.0
        self._checking = False

    def reload(self) -> None:
        """Load the catalogue now (after this process changed products)."""
        with self._lock, self._engine.connect() as connection:
            self._load(connection)

    def get(self, connection: Connection | None = None) -> OfferCatalog:
        """The current catalogue: loaded on first use, refreshed in the background after."""
        catalog = self._catalog
        if catalog is None:
            return self._first(connection)
        if time.monotonic() - self._checked >= self._recheck and not self._checking:
            self._checking = True
            threading.Thread(target=self._check, name="catalog-check", daemon=True).start()
        return catalog

    def _first(self, connection: Connection | None) -> OfferCatalog:
        with self._lock:
            if self._catalog is not None:
                return self._catalog
            if connection is not None:
                return self._load(connection)
            with self._engine.connect() as own:
                return self._load(own)

    def _check(self) -> None:
        try:
            with self._lock, self._engine.connect() as connection:
                if _catalog_stamp(connection) != self._stamp:
                    self._load(connection)
                self._checked = time.monotonic()
        except Exception:  # a failed refresh keeps serving the catalogue it has
            _log.exception("catalogue refresh failed; keeping the loaded catalogue")
        finally:
            self._checking = False

    def _load(self, connection: Connection) -> OfferCatalog:
        self._stamp = _catalog_stamp(connection)
        catalog = load_catalog(connection)
        self._catalog = catalog
        self._checked = time.monotonic()
        keep_out_of_gc()
        return catalog


def keep_out_of_gc() -> None:
    """Exempt what is loaded now (catalogue, model) from the cyclic garbage collector.

    Both live until replaced and hold hundreds of thousands of objects; without this every
    full collection walks them all, a pause of tens of milliseconds in the middle of
    requests (measured in bench/http_decisions.py).
    """
    gc.freeze()


def _catalog_stamp(connection: Connection) -> tuple[object, ...]:
    product_part = select(func.count(), func.max(products.c.updated_at)).select_from(products)
    bundle_part = select(func.count(), func.sum(bundles.c.price)).select_from(bundles)
    return (*connection.execute(product_part).one(), *connection.execute(bundle_part).one())


def load_catalog(connection: Connection) -> OfferCatalog:
    """Every product with its price history and bundles, indexed for decisions."""
    everything = catalog_repo.all_products(connection)
    skus = [p.sku for p in everything]
    history = catalog_repo.price_history(connection, skus)
    points = [point for series in history.values() for point in series]
    return OfferCatalog.build(everything, points, catalog_repo.bundles_containing(connection, skus))


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


_VALUES: dict[str, str] = {m: m.value for e in (Moment, OfferKind, Format) for m in e}
"""Each enum member's value, looked up faster than the `value` property."""


def _impressions(decision: Decision, channel: str | None) -> list[offers_repo.Impression]:
    decision_id, customer_id, at = decision.decision_id, decision.customer_id, decision.at
    return [
        offers_repo.new_impression(
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


def _record(
    decision: Decision, request: DecisionRequest, version: str | None
) -> offers_repo.DecisionRecord:
    return offers_repo.new_record(
        decision.decision_id,
        decision.customer_id,
        _VALUES[decision.moment],
        decision.at,
        decision.held_out,
        [{"sku": line.sku, "quantity": line.quantity} for line in request.cart],
        _impressions(decision, request.channel),
        request.channel,
        version,
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

    engine: Engine
    policy: OfferPolicy = field(default_factory=OfferPolicy)
    model: ModelSource = lambda: NO_MODEL
    clock: Clock = field(default_factory=SystemClock)
    new_id: Callable[[], str] = new_decision_id
    catalog: CatalogCache = field(init=False)
    readers: ReadConnections = field(init=False)
    purchases: PurchaseCache = field(init=False)

    def __post_init__(self) -> None:
        self.catalog = CatalogCache(self.engine)
        self.readers = ReadConnections(self.engine)
        self.purchases = PurchaseCache()

    def close(self) -> None:
        """Release the connections held for reading."""
        self.readers.close()

    @property
    def history_window(self) -> timedelta:
        """How far back offer events can matter (cooldown, budget, quiet period)."""
        p = self.policy
        return max(p.cooldown, p.budget_window, p.upgrade_quiet_period)

    def decide(self, request: DecisionRequest) -> Decision:
        """Decide offers for the request and log the decision with its impressions."""
        with self.engine.begin() as connection:
            decision, record = self._decide(connection, request)
            offers_repo.save_decision(connection, record)
        return decision

    async def decide_logged(self, request: DecisionRequest, log: DecisionLog) -> Decision:
        """Decide, then wait until `log` has committed the decision (batched with others)."""
        with self.readers.connect() as connection:
            decision, record = self._decide(connection, request)
        await log.write(record)
        return decision

    def _decide(
        self, connection: Connection, request: DecisionRequest
    ) -> tuple[Decision, offers_repo.DecisionRecord]:
        """Read what the decision needs through `connection`, decide; no write."""
        now = self.clock.now()
        model = self.model()
        catalog = self.catalog.get(connection)
        inputs = read_inputs(
            connection,
            request.customer_id,
            since=now - self.history_window,
            until=now,
            recent=now - self.policy.recent_purchase_window,
            cache=self.purchases,
        )
        context = DecisionContext(
            decision_id=self.new_id(),
            now=now,
            catalog=catalog,
            affinity=model.affinity,
            policy=self.policy,
            task=request.task,
            channel=request.channel,
            viewing=request.viewing,
            purchases=inputs.purchases,
            offer_events=inputs.offer_events,
            declined_upsell=_declined_upsell(inputs.offer_events, now),
            expires_at=request.expires_at,
        )
        who = inputs.customer or Customer(CustomerId(request.customer_id))
        decision = decide(who, request.moment, request.cart, context)
        return decision, _record(decision, request, model.version)

    def respond(self, decision_id: str, offer_id: str, response: Response) -> ResponseOutcome:
        """Store a response once, as a row and an offer_* event that feeds cooldowns."""
        with self.engine.begin() as connection:
            impression = offers_repo.get_impression(connection, decision_id, offer_id)
            if impression is None:
                raise UnknownOfferError(f"decision {decision_id!r} did not show {offer_id!r}")
            stored = offers_repo.save_response(
                connection, impression, response, at=self.clock.now()
            )
        return ResponseOutcome(decision_id, offer_id, response, duplicate=not stored)
