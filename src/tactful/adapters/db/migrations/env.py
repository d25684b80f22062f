"""Alembic environment: runs on the connection handed over by tactful.adapters.db.schema."""

from __future__ import annotations

from alembic import context

from tactful.adapters.db.schema import all_metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `tactful db upgrade`, which passes a connection")

context.configure(
    connection=connection,
    target_metadata=all_metadata(),
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
