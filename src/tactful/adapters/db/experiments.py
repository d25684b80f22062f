"""`ExperimentStore` on SQL: one row per experiment, its variants as JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update

from tactful.adapters.db.repositories._common import utc
from tactful.adapters.db.tables_measurement import experiments as table
from tactful.domain.experiments import Experiment, Variant

__all__ = ["SqlExperimentStore"]


def _experiment(row: Any) -> Experiment:
    return Experiment(
        row.experiment_id,
        row.name,
        tuple(Variant(v["name"], int(v["weight"]), v.get("max_offers")) for v in row.variants),
        row.status,
        utc(row.started_at),
        None if row.stopped_at is None else utc(row.stopped_at),
    )


class SqlExperimentStore:
    """`tactful.services.ports.experiments.ExperimentStore` on a SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, experiment: Experiment) -> None:
        variants = [
            {"name": v.name, "weight": v.weight, "max_offers": v.max_offers}
            for v in experiment.variants
        ]
        with self.engine.begin() as connection:
            connection.execute(
                insert(table).values(
                    experiment_id=experiment.experiment_id,
                    name=experiment.name,
                    variants=variants,
                    status=experiment.status,
                    started_at=experiment.started_at,
                    stopped_at=experiment.stopped_at,
                )
            )

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

    def stop(self, experiment_id: str, at: datetime) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(table)
                .where(table.c.experiment_id == experiment_id, table.c.status == "running")
                .values(status="stopped", stopped_at=at)
            )
