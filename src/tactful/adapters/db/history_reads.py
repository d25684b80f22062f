"""`HistoryReads` on SQL: the whole order history in two queries, and the accepted upsells."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Select, select

from tactful.adapters.db.repositories._common import utc
from tactful.adapters.db.tables import events, order_lines, orders
from tactful.domain.events import EventType
from tactful.domain.lifetime.history import HistoryLine, OrderHead, OrderHistory, Upgrade
from tactful.domain.offers import OfferKind
from tactful.domain.orders import LineSource


def _window(query: Select[Any], since: datetime | None, until: datetime | None) -> Select[Any]:
    if since is not None:
        query = query.where(orders.c.created_at >= utc(since))
    if until is not None:
        query = query.where(orders.c.created_at < utc(until))
    return query


class SqlHistoryReads:
    """`tactful.services.ports.history.HistoryReads` on a SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def order_history(
        self, *, since: datetime | None = None, until: datetime | None = None
    ) -> OrderHistory:
        heads_query = select(
            orders.c.order_id, orders.c.customer_id, orders.c.created_at, orders.c.currency
        )
        lines_query = select(
            order_lines.c.order_id,
            order_lines.c.sku,
            order_lines.c.quantity,
            order_lines.c.unit_price,
        ).join(orders, orders.c.order_id == order_lines.c.order_id)
        with self.engine.connect() as connection:
            heads = [
                OrderHead(*row) for row in connection.execute(_window(heads_query, since, until))
            ]
            lines = [
                HistoryLine(*row) for row in connection.execute(_window(lines_query, since, until))
            ]
        return OrderHistory.from_rows(heads, lines)

    def upgrades(self) -> list[Upgrade]:
        accepted = select(
            events.c.customer_id, events.c.at, events.c.sku, events.c.properties
        ).where(events.c.type == EventType.OFFER_ACCEPTED.value)
        upsell_lines = (
            select(orders.c.customer_id, orders.c.created_at, order_lines.c.sku)
            .join(orders, orders.c.order_id == order_lines.c.order_id)
            .where(order_lines.c.source == LineSource.UPSELL.value)
            .where(orders.c.customer_id.is_not(None))
        )
        with self.engine.connect() as connection:
            found = [
                Upgrade(row.customer_id, row.at, row.sku)
                for row in connection.execute(accepted)
                if (row.properties or {}).get("kind") == OfferKind.UPSELL.value
            ]
            found += [Upgrade(*row) for row in connection.execute(upsell_lines)]
        return sorted(found, key=lambda upgrade: (utc(upgrade.at), upgrade.customer_id))
