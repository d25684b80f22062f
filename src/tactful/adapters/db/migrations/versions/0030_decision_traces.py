"""decisions.trace: every candidate of a decision and why it was kept or dropped

Revision ID: 0030
Revises: 0029

The admin decision page shows the trace of a logged decision; until now the log kept only
the offers shown. Compact JSON text (see `tactful.domain.offers.trace_log`), written in the
decision's own INSERT. NULL for decisions logged before this revision.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch_op:
        batch_op.add_column(sa.Column("trace", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("decisions") as batch_op:
        batch_op.drop_column("trace")
