"""Mining a new model version, activating it, and serving the active one to every request.

`mine_and_activate` reads stored orders, mines, tunes the ranking, writes the payload file and
flips the active version in one transaction. `ModelProvider` holds the active model in memory;
a request asks it for the current model, which costs one indexed SELECT at most every few
seconds, so every worker process picks up a new version soon after it is activated.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from tactful.domain.affinity import AffinityModel, Baskets, MiningConfig, MiningEngine, mine
from tactful.domain.affinity.evaluation import tune
from tactful.domain.affinity.ranking import (
    CoOccurrence,
    RankingWeights,
    Scorer,
    TactfulWeights,
    cart_matrix,
    scorer,
)
from tactful.domain.model_versions import ModelInfo, config_to_json, summary_to_json
from tactful.services.ports.models import ModelPayloads
from tactful.services.ports.storage import Database
from tactful.settings import Settings

_log = logging.getLogger(__name__)
__all__ = [
    "LoadedModel",
    "ModelInfo",
    "ModelProvider",
    "ModelStorage",
    "NoOrdersError",
    "Progress",
    "current_model",
    "mine_and_activate",
    "mine_baskets",
]


class NoOrdersError(ValueError):
    """There is nothing to mine yet."""


@dataclass(frozen=True, eq=False)
class LoadedModel:
    """An active version in memory: its row, the model and its ready ranking."""

    info: ModelInfo
    model: AffinityModel
    scorer: Scorer
    ranking: RankingWeights | None = None

    def addon_scores(self, cart_skus: Sequence[str]) -> dict[str, float]:
        """Every scorable add-on for a cart with its score; cart items and unseen SKUs left out."""
        scores = self.scorer.score(cart_matrix(self.scorer.cooc, [cart_skus]))[0]
        keep = np.flatnonzero(np.isfinite(scores))
        items = self.scorer.cooc.items
        return {items[j]: float(scores[j]) for j in keep}


def _weights_json(weights: TactfulWeights) -> dict[str, Any]:
    return asdict(weights)


def _ranker(
    model: AffinityModel, params: dict[str, Any], ranking: RankingWeights | None = None
) -> Scorer:
    """The ridge scorer `tactful evaluate` measures when its weights were kept, else fallback."""
    cooc = CoOccurrence.from_model(model)
    if ranking is not None:
        return ranking.scorer(cooc)
    weights = TactfulWeights(**params.get("ranking", {}))
    return scorer(cooc, weights=weights)


def _loaded(info: ModelInfo, model: AffinityModel, ranking: RankingWeights | None) -> LoadedModel:
    return LoadedModel(info, model, _ranker(model, info.params, ranking), ranking)


def mine_baskets(
    baskets: Baskets,
    config: MiningConfig,
    *,
    engine: MiningEngine | None = None,
    seed: int = 0,
) -> tuple[AffinityModel, TactfulWeights, RankingWeights]:
    """Mine `baskets`, tune the add-on ranking on a validation slice and fit it on them all."""
    model = mine(baskets, config, engine)
    return (model, *_tuned_ranking(baskets, seed=seed))


def _tuned_ranking(baskets: Baskets, *, seed: int = 0) -> tuple[TactfulWeights, RankingWeights]:
    """Tune the add-on ranking on a validation slice and fit it on every basket."""
    weights = tune(baskets, seed=seed) if baskets.n_baskets >= 200 else TactfulWeights()
    return weights, RankingWeights.fit(CoOccurrence.from_baskets(baskets), weights)


Progress = Callable[[str, float], None]
"""Told each stage of a mining run as it starts, with the fraction of the work done so far."""


def _no_progress(_stage: str, _fraction: float) -> None:
    return None


@dataclass(frozen=True)
class ModelStorage:
    """Where model versions live: rows in the database, arrays in payload files."""

    database: Database
    payloads: ModelPayloads


def mine_and_activate(
    storage: ModelStorage,
    settings: Settings,
    config: MiningConfig,
    *,
    mining_engine: MiningEngine | None = None,
    since: datetime | None = None,
    provider: ModelProvider | None = None,
    progress: Progress = _no_progress,
) -> ModelInfo:
    """Mine the stored orders into a new version, save it and make it the active one.

    `provider` (the serving process's) swaps to the new version only once it is saved, so
    requests in the meantime keep the previous one.
    """
    progress("reading orders", 0.0)
    with storage.database.transaction() as tx:
        baskets = tx.orders.read_baskets(since=since)
    if baskets.n_baskets == 0:
        raise NoOrdersError("orders: there are no stored orders to mine; import some first")
    progress("mining", 0.1)
    model = mine(baskets, config, mining_engine)
    progress("tuning the ranking", 0.6)
    weights, ranking = _tuned_ranking(baskets)
    del baskets
    progress("saving", 0.9)
    info = save_model(storage, settings, model, weights, ranking=ranking)
    if provider is not None:
        provider.swap(_loaded(info, model, ranking))
    return info


def save_model(
    storage: ModelStorage,
    settings: Settings,
    model: AffinityModel,
    weights: TactfulWeights,
    *,
    ranking: RankingWeights | None = None,
    activate: bool = True,
) -> ModelInfo:
    """Write the payload file, insert the version row and (by default) activate it."""
    created = datetime.now(UTC)
    version = f"{created:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
    path = Path(settings.data_dir) / "models" / f"{version}.npz"
    sha = storage.payloads.save_payload(model, path, ranking)
    summary = model.summary
    info = ModelInfo(
        version=version,
        created_at=created,
        status="active" if activate else "inactive",
        engine=summary.engine,
        params={"mining": config_to_json(summary.config), "ranking": _weights_json(weights)},
        window_start=_aware(summary.window_start),
        window_end=_aware(summary.window_end),
        summary=summary_to_json(summary),
        payload_path=str(path.resolve()),
        payload_sha256=sha,
    )
    with storage.database.transaction() as tx:
        tx.models.insert_model(_as_inactive(info))
        if activate:
            tx.models.activate(version)
    return info


def _as_inactive(info: ModelInfo) -> ModelInfo:
    return ModelInfo(**{**asdict(info), "status": "inactive"})


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def current_model(storage: ModelStorage) -> ModelInfo | None:
    """The active version's row, or None before the first mining."""
    with storage.database.transaction() as tx:
        version = tx.models.active_version()
        return None if version is None else tx.models.get_model(version)


def load_active(storage: ModelStorage) -> LoadedModel | None:
    """Load the active version from its payload file."""
    info = current_model(storage)
    if info is None:
        return None
    model, ranking = storage.payloads.load_stored(info)
    return _loaded(info, model, ranking)


class ModelProvider:
    """The active model of this process, swapped by reference under a lock.

    Readers never block on a load: `get()` returns whatever is loaded now and, at most every
    `check_every` seconds, compares the active version in the database (one indexed lookup)
    and reloads when another process activated a newer one. With `load_in_background` (the
    server) that reload runs in a thread, so requests keep the previous model until the new
    one is ready instead of waiting for it.
    """

    def __init__(
        self,
        storage: ModelStorage,
        *,
        check_every: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        load_in_background: bool = False,
    ) -> None:
        self.storage = storage
        self._check_every = check_every
        self._clock = clock
        self._background = load_in_background
        self._lock = threading.Lock()
        self._loaded: LoadedModel | None = None
        self._checked_at = float("-inf")
        self._loading = False
        self._load_lock = threading.Lock()

    def start(self) -> LoadedModel | None:
        """Load the active version (server start); a broken payload leaves no model loaded."""
        self._checked_at = self._clock()
        loaded = load_active(self.storage)
        if loaded is not None:
            self.swap(loaded)
        return loaded

    def swap(self, loaded: LoadedModel) -> None:
        """Make `loaded` the model every later request sees."""
        with self._lock:
            self._loaded = loaded

    def get(self) -> LoadedModel | None:
        """The active model, reloaded first if another process activated a newer version."""
        now = self._clock()
        if now - self._checked_at >= self._check_every:
            self._checked_at = now
            self.refresh()
        return self._loaded

    def refresh(self) -> LoadedModel | None:
        """Compare the active version in the database with ours; load it when it changed."""
        with self.storage.database.transaction() as tx:
            version = tx.models.active_version()
        held = self._loaded
        if version is None or (held is not None and held.info.version == version):
            return held
        if self._background and held is not None:
            self._load_in_thread()
            return held
        return self._load()

    def serve(self, version: str) -> None:
        """Start serving `version` now (a job just finished in another process): loaded
        before returning when no model is held yet, else in the background (with
        `load_in_background`), decisions keeping the previous model meanwhile."""
        if self.version == version:
            return
        if self._background and self._loaded is not None:
            self._load_in_thread()
            return
        with self._load_lock:
            if self.version != version:
                self._load()

    def _load(self) -> LoadedModel | None:
        loaded = load_active(self.storage)
        if loaded is not None:
            self.swap(loaded)
        return self._loaded

    def _load_in_thread(self) -> None:
        with self._lock:
            if self._loading:
                return
            self._loading = True
        threading.Thread(target=self._load_quietly, name="model-load", daemon=True).start()

    def _load_quietly(self) -> None:
        try:
            self._load()
        except Exception:  # the previous model keeps serving; the next check tries again
            _log.exception("loading the newly activated model failed; keeping the loaded one")
        finally:
            self._loading = False

    @property
    def version(self) -> str | None:
        """The version held in memory (without checking the database)."""
        held = self._loaded
        return None if held is None else held.info.version


@dataclass(frozen=True)
class ModelVersions:
    """The model use cases bound to one storage and settings (what the demo and CLI run)."""

    storage: ModelStorage
    settings: Settings

    def current_model(self) -> ModelInfo | None:
        """The active version, if any."""
        return current_model(self.storage)

    def mine_and_activate(self, config: MiningConfig) -> ModelInfo:
        """Mine the stored orders into a new version and make it the active one."""
        return mine_and_activate(self.storage, self.settings, config)
