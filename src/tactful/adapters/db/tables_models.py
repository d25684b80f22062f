"""Tables for mined model versions (one row per version, the arrays in a file next to the DB)
and the mining jobs that make them."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, Index, String, Table, Text

from tactful.adapters.db.tables import Timestamp, metadata

models = Table(
    "models",
    metadata,
    Column("version", String(64), primary_key=True),
    Column("created_at", Timestamp, nullable=False),
    Column("status", String(16), nullable=False, server_default="inactive"),
    Column("engine", String(32), nullable=False),
    Column("params", JSON, nullable=False),
    Column("window_start", Timestamp),
    Column("window_end", Timestamp),
    Column("summary", JSON, nullable=False),
    Column("payload_path", Text, nullable=False),
    Column("payload_sha256", String(64), nullable=False),
    Index("ix_models_status", "status"),
)

model_jobs = Table(
    "model_jobs",
    metadata,
    Column("job_id", String(64), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("params", JSON, nullable=False),
    Column("stage", String(32), nullable=False),
    Column("fraction", Float, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Column("started_at", Timestamp),
    Column("finished_at", Timestamp),
    Column("model_version", String(64)),
    Column("error", Text),
    Index("ix_model_jobs_status_created", "status", "created_at"),
)

__all__ = ["metadata", "model_jobs", "models"]
