"""`HistoryReads` over the memory database: the same history the SQL reads give."""

from __future__ import annotations

from datetime import datetime

from tactful.adapters.memory._common import utc
from tactful.adapters.memory.database import MemoryDatabase
from tactful.domain.events import EventType
from tactful.domain.lifetime.history import OrderHistory, Upgrade
from tactful.domain.offers import OfferKind
from tactful.domain.orders import LineSource


class MemoryHistoryReads:
    """`tactful.services.ports.history.HistoryReads` over a memory database's last commit."""

    def __init__(self, database: MemoryDatabase) -> None:
        self.database = database

    def order_history(
        self, *, since: datetime | None = None, until: datetime | None = None
    ) -> OrderHistory:
        chosen = [
            order
            for order in self.database.state.orders.orders.values()
            if (since is None or utc(order.created_at) >= utc(since))
            and (until is None or utc(order.created_at) < utc(until))
        ]
        return OrderHistory.from_orders(chosen)

    def upgrades(self) -> list[Upgrade]:
        state = self.database.state
        found = [
            Upgrade(event.customer_id, utc(event.at), event.sku)
            for event in state.events.events.values()
            if event.type == EventType.OFFER_ACCEPTED
            and event.properties.get("kind") == OfferKind.UPSELL.value
        ]
        found += [
            Upgrade(order.customer_id, utc(order.created_at), line.sku)
            for order in state.orders.orders.values()
            if order.customer_id is not None
            for line in order.lines
            if line.source == LineSource.UPSELL
        ]
        return sorted(found, key=lambda upgrade: (upgrade.at, upgrade.customer_id))
