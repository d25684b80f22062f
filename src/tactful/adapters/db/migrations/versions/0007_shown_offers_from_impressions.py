"""shown offers: read back from the impressions, no longer copied into events

Revision ID: 0007
Revises: 0006

Every offer a decision shows was stored twice: as an impression and as an `offer_shown`
event, whose three B-trees (table, event id, customer) and JSON properties made it the
single dearest part of a decision's commit (bench/http_costs.py). Budgets and cooldowns now
read a customer's impressions through `ix_offer_impressions_customer_shown`, which covers
every column that read takes, beside the offer events of other channels (responses, hosted
checkout offers, events posted to the API). The copies already stored are deleted so that no
offer counts twice; `downgrade` writes them back from the impressions.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The id each copy had, `{decision_id}:{offer_id}:shown`, spelt so that no ':name' reads
# as a bound parameter.
_EVENT_ID = "{i}decision_id || ':' || {i}offer_id || ':' || 'shown'"
_COVERED = ["customer_id", "at", "sku", "kind", "for_sku", "relevance", "offer_id"]


def upgrade() -> None:
    op.create_index("ix_offer_impressions_customer_shown", "offer_impressions", _COVERED)
    op.execute(
        "DELETE FROM events WHERE type = 'offer_shown' AND event_id IN ("
        f"SELECT {_EVENT_ID.format(i='')} FROM offer_impressions)"
    )


def downgrade() -> None:
    # The properties the copies had: relevance only when known, channel 'api' by default.
    build = "json_object" if op.get_bind().dialect.name == "sqlite" else "json_build_object"
    known = (
        "'offer_id', i.offer_id, 'decision_id', i.decision_id, 'kind', i.kind, "
        "'for_sku', i.for_sku, 'channel', COALESCE(d.channel, 'api')"
    )
    properties = (
        f"CASE WHEN i.relevance IS NULL THEN {build}({known}) "
        f"ELSE {build}({known}, 'relevance', i.relevance) END"
    )
    op.execute(
        "INSERT INTO events (event_id, type, customer_id, at, sku, properties) "
        f"SELECT {_EVENT_ID.format(i='i.')}, 'offer_shown', i.customer_id, i.at, i.sku, "
        f"{properties} FROM offer_impressions i JOIN decisions d ON d.decision_id = i.decision_id "
        "WHERE true ON CONFLICT (event_id) DO NOTHING"  # WHERE: SQLite's parse of ON CONFLICT
    )
    op.drop_index("ix_offer_impressions_customer_shown", table_name="offer_impressions")
