"""The migrations build exactly the tables and indexes the code declares."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from tactful.adapters.db.schema import all_metadata, current_revision, head_revision


def _structural(diff: Any) -> bool:
    """Tables, columns and indexes added or removed (type nuances differ per dialect)."""
    kind = diff[0][0] if isinstance(diff, list) else diff[0]
    return kind in {
        "add_table",
        "remove_table",
        "add_column",
        "remove_column",
        "add_index",
        "remove_index",
    }


def test_migrated_database_matches_the_declared_schema(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), all_metadata())
    assert [d for d in diffs if _structural(d)] == []


def test_only_the_reads_of_a_decision_index_the_log_by_customer(engine: Engine) -> None:
    """Nothing reads decisions by customer; impressions are read by customer (shown offers)
    through one covering index (and by time, for reports' raw edges), events through theirs;
    answers by time only (the dashboard's activity over a span's raw edges)."""
    from sqlalchemy import inspect

    inspector = inspect(engine)
    indexed = {
        table: {i["name"] for i in inspector.get_indexes(table)}
        for table in ("decisions", "offer_impressions", "offer_responses", "events")
    }
    assert "ix_decisions_customer_at" not in indexed["decisions"]
    assert indexed["offer_impressions"] == {
        "ix_offer_impressions_customer_shown",
        "ix_offer_impressions_at",
    }
    assert "ix_events_customer_at" in indexed["events"]
    assert indexed["offer_responses"] == {"ix_offer_responses_at"}
