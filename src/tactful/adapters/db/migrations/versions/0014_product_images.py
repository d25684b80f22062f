"""product images: `products.image_url` for the hosted checkout's order summary

Revision ID: 0014
Revises: 0013

A product may name an image (an https:// URL or a path on this server); the checkout pages
show it beside each line, with a neutral placeholder when there is none.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("image_url", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.drop_column("image_url")
