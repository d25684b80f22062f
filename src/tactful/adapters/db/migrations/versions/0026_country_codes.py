"""customers' countries as ISO 3166-1 alpha-2 codes

Revision ID: 0026
Revises: 0025

Imports stored a country as the source gave it: Online Retail and Shopify's name
(`United Kingdom`, `EIRE`), WooCommerce's code (`GB`), so one country was two segments.
Imports and webhooks now store the code (`tactful.domain.countries.country_code`); this
rewrites the countries stored before, one UPDATE per distinct spelling. A place without a
code (`Channel Islands`) stays as it is. The names are not put back on downgrade: the codes
name the same countries, and older tactful reads them as values like any other.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tactful.domain.countries import country_code

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_customers = sa.table("customers", sa.column("country", sa.String(64)))


def upgrade() -> None:
    bind = op.get_bind()
    stored = bind.execute(
        sa.select(_customers.c.country).distinct().where(_customers.c.country.is_not(None))
    ).scalars()
    renamed = {given: country_code(given) for given in stored}
    for given, code in renamed.items():
        if code != given:
            bind.execute(
                sa.update(_customers).where(_customers.c.country == given).values(country=code)
            )


def downgrade() -> None:
    pass
