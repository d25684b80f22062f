"""The active model is re-mined on a schedule by the worker, when new orders arrived.

Webhooks keep the order history fresh; `ScheduledRemine.run_due` mines a new version (with the
active version's mining parameters) once the active one is `every` old and orders newer than
its data window exist. The previous version stays stored, so `tactful models activate
VERSION` rolls back to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tactful.domain.affinity import MiningConfig
from tactful.domain.model_versions import ModelInfo, config_from_json
from tactful.services.models import ModelStorage, NoOrdersError, mine_and_activate
from tactful.settings import Settings


class UnknownVersionError(LookupError):
    """No stored model version by that name."""


@dataclass
class ScheduledRemine:
    """Due work: mine again when the active model is old enough and orders came since."""

    storage: ModelStorage
    settings: Settings
    every: timedelta
    name: str = "remine"

    def run_due(self, now: datetime) -> int:
        """1 when a new version was mined and activated, else 0."""
        if self.every <= timedelta(0):
            return 0
        active = self._active()
        if active is None:
            return 0
        if now - _utc(active.created_at) < self.every or not self._new_orders(active):
            return 0
        try:
            mine_and_activate(self.storage, self.settings, _config(active))
        except NoOrdersError:
            return 0
        return 1

    def _active(self) -> ModelInfo | None:
        with self.storage.database.transaction() as tx:
            version = tx.models.active_version()
            return None if version is None else tx.models.get_model(version)

    def _new_orders(self, active: ModelInfo) -> bool:
        since = active.window_end
        start = None if since is None else _utc(since) + timedelta(microseconds=1)
        with self.storage.database.transaction() as tx:
            return tx.orders.read_baskets(since=start).n_baskets > 0


def activate_version(storage: ModelStorage, version: str) -> ModelInfo:
    """Make a stored version the active one (a rollback); serving processes follow soon."""
    with storage.database.transaction() as tx:
        info = tx.models.get_model(version)
        if info is None:
            raise UnknownVersionError(version)
        tx.models.activate(version)
    return info


def _config(active: ModelInfo) -> MiningConfig:
    mining = active.params.get("mining")
    return config_from_json(mining) if isinstance(mining, dict) else MiningConfig()


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
