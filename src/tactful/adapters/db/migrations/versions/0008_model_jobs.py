"""model jobs: mining runs in the background, with their progress and outcome

Revision ID: 0008
Revises: 0007

`POST /v1/models` used to mine inside the request (28 s on the demo data); it now stores a
job and answers at once, and `GET /v1/models/jobs/{id}` reads the job's row.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "model_jobs",
        sa.Column("job_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("fraction", sa.Float(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("started_at", _TS, nullable=True),
        sa.Column("finished_at", _TS, nullable=True),
        sa.Column("model_version", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_model_jobs")),
    )
    op.create_index("ix_model_jobs_status_created", "model_jobs", ["status", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_model_jobs_status_created", table_name="model_jobs")
    op.drop_table("model_jobs")
