"""`ExperimentStore` on SQL: one row per experiment, its variants as JSON, and the variant
each decision followed (decision_variants, written with the decision log).

Placing new experiments reads the running ones and inserts in one transaction that holds a
lock first: a transaction-scoped advisory lock on PostgreSQL, the write lock (BEGIN
IMMEDIATE) on SQLite, so two racing creates cannot both see a slice free.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, text, update

from tactful.adapters.db.repositories._common import utc
from tactful.adapters.db.tables_measurement import decision_variants
from tactful.adapters.db.tables_measurement import experiments as table
from tactful.domain.experiments import DEFAULT_LAYER, Experiment, StopRecord, Variant

__all__ = ["SqlExperimentStore"]

_PLACEMENT_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
_PLACEMENT_KEY = 0x7461637466756C  # "tactful": one lock for every layer's placement


def _variant(data: dict[str, Any]) -> Variant:
    return Variant(
        data["name"],
        int(data["weight"]),
        data.get("max_offers"),
        data.get("headline"),
        int(data.get("discount_percent") or 0),
        data.get("format"),
        data.get("wait_multiplier"),
        data.get("allocation"),
    )


def _stop_record(data: dict[str, Any] | None) -> StopRecord | None:
    if not data:
        return None
    at = datetime.fromisoformat(data["at"])
    return StopRecord(data["decision"], data["reason"], data["by"], utc(at), data.get("variant"))


def _experiment(row: Any) -> Experiment:
    return Experiment(
        row.experiment_id,
        row.name,
        tuple(_variant(v) for v in row.variants),
        row.status,
        utc(row.started_at),
        None if row.stopped_at is None else utc(row.stopped_at),
        row.layer or DEFAULT_LAYER,
        tuple(row.moments or ()),
        int(row.traffic),
        int(row.traffic_start),
        _stop_record(row.stop_record),
    )


def _record_data(record: StopRecord) -> dict[str, Any]:
    return {
        "decision": record.decision,
        "variant": record.variant,
        "reason": record.reason,
        "by": record.by,
        "at": record.at.isoformat(),
    }


def _insert(connection: Connection, experiment: Experiment) -> None:
    variants = [{"name": v.name, "weight": v.weight, **v.parameters()} for v in experiment.variants]
    connection.execute(
        insert(table).values(
            experiment_id=experiment.experiment_id,
            name=experiment.name,
            variants=variants,
            status=experiment.status,
            started_at=experiment.started_at,
            stopped_at=experiment.stopped_at,
            layer=experiment.layer,
            moments=list(experiment.moments),
            traffic=experiment.traffic,
            traffic_start=experiment.traffic_start,
        )
    )


class SqlExperimentStore:
    """`tactful.services.ports.experiments.ExperimentStore` on a SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, experiment: Experiment) -> None:
        with self.engine.begin() as connection:
            _insert(connection, experiment)

    def add_placed(self, place: Callable[[list[Experiment]], list[Experiment]]) -> list[Experiment]:
        with self.engine.begin() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")  # pysqlite's own BEGIN is lazy
            else:
                connection.execute(_PLACEMENT_LOCK, {"key": _PLACEMENT_KEY})
            running = select(table).where(table.c.status == "running")
            placed = place([_experiment(row) for row in connection.execute(running)])
            for experiment in placed:
                _insert(connection, experiment)
        return placed

    def get(self, experiment_id: str) -> Experiment | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(table).where(table.c.experiment_id == experiment_id)
            ).first()
        return None if row is None else _experiment(row)

    def all(self) -> list[Experiment]:
        query = select(table).order_by(table.c.started_at.desc(), table.c.experiment_id)
        with self.engine.connect() as connection:
            return [_experiment(row) for row in connection.execute(query)]

    def stop(self, experiment_id: str, record: StopRecord) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(table)
                .where(table.c.experiment_id == experiment_id, table.c.status == "running")
                .values(status="stopped", stopped_at=record.at, stop_record=_record_data(record))
            )

    def variants_shown(
        self, experiment_id: str, *, since: datetime, until: datetime
    ) -> dict[str, str]:
        """Each customer's variant as their first decision in the window logged it."""
        first = (
            select(
                decision_variants.c.customer_id,
                func.min(decision_variants.c.at).label("first_at"),
            )
            .where(decision_variants.c.experiment_id == experiment_id)
            .where(decision_variants.c.at >= since, decision_variants.c.at <= until)
            .group_by(decision_variants.c.customer_id)
            .subquery()
        )
        query = (
            select(decision_variants.c.customer_id, decision_variants.c.variant)
            .join(
                first,
                (first.c.customer_id == decision_variants.c.customer_id)
                & (first.c.first_at == decision_variants.c.at),
            )
            .where(decision_variants.c.experiment_id == experiment_id)
        )
        with self.engine.connect() as connection:
            return {row.customer_id: row.variant for row in connection.execute(query)}
