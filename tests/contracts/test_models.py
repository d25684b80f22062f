"""Model store contract: SQLite, PostgreSQL and memory alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tactful.domain.model_versions import ModelInfo
from tactful.services.ports.storage import Database

T0 = datetime(2025, 1, 1, 9, tzinfo=UTC)


def info(version: str, hours: int = 0, status: str = "inactive") -> ModelInfo:
    return ModelInfo(
        version=version,
        created_at=T0 + timedelta(hours=hours),
        status=status,
        engine="local",
        params={"mining": {"min_support": 0.01}},
        window_start=T0 - timedelta(days=90),
        window_end=T0,
        summary={"n_rules": 3},
        payload_path=f"/models/{version}.npz",
        payload_sha256="0" * 64,
    )


def test_no_model_before_the_first_one(database: Database) -> None:
    with database.transaction() as tx:
        assert tx.models.active_version() is None
        assert tx.models.get_model("v1") is None
        assert tx.models.list_models() == []


def test_rows_round_trip_and_list_newest_first(database: Database) -> None:
    with database.transaction() as tx:
        tx.models.insert_model(info("v1"))
        tx.models.insert_model(info("v2", hours=1))
    with database.transaction() as tx:
        assert tx.models.get_model("v1") == info("v1")
        assert [i.version for i in tx.models.list_models()] == ["v2", "v1"]
        assert [i.version for i in tx.models.list_models(limit=1)] == ["v2"]


def test_one_version_is_active_at_a_time(database: Database) -> None:
    with database.transaction() as tx:
        tx.models.insert_model(info("v1"))
        tx.models.insert_model(info("v2", hours=1))
        tx.models.activate("v1")
        tx.models.activate("v2")
    with database.transaction() as tx:
        assert tx.models.active_version() == "v2"
        first = tx.models.get_model("v1")
        assert first is not None
        assert first.status == "inactive"


def test_activating_an_unknown_version_is_refused(database: Database) -> None:
    with database.transaction() as tx, pytest.raises(LookupError, match="no model version"):
        tx.models.activate("missing")


def test_a_failed_transaction_leaves_no_row(database: Database) -> None:
    def insert_then_fail() -> None:
        with database.transaction() as tx:
            tx.models.insert_model(info("v1"))
            raise RuntimeError("mining failed after the row")

    with pytest.raises(RuntimeError):
        insert_then_fail()
    with database.transaction() as tx:
        assert tx.models.get_model("v1") is None
