"""`DecisionReads` over the memory database: the same inputs the SQL reads give."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tactful.adapters.db.repositories.decision_inputs import summarise_purchases
from tactful.adapters.memory._common import utc
from tactful.adapters.memory.customers import MemoryCustomerStore
from tactful.adapters.memory.database import MemoryDatabase, MemoryState
from tactful.adapters.memory.events import OFFER_EVENT_TYPES
from tactful.domain.catalog import Sku
from tactful.domain.offers import OfferEvent, PastOrder
from tactful.domain.offers.inputs import offer_event, shown_offer
from tactful.domain.offers.records import DecisionInputs


def _offer_events(state: MemoryState, customer_id: str, since: datetime) -> tuple[OfferEvent, ...]:
    """Offer events and impressions since `since`, oldest first (ties by event or offer id)."""
    found: list[tuple[datetime, str, OfferEvent]] = []
    for event in state.events.events.values():
        if event.customer_id != customer_id or event.at < since or event.sku is None:
            continue
        if event.type in OFFER_EVENT_TYPES:
            offer = offer_event(str(event.type), event.sku, event.at, event.properties)
            if offer is not None:
                found.append((event.at, event.event_id, offer))
    for shown in state.offers.impressions.values():
        if shown.customer_id == customer_id and shown.at >= since:
            offer = shown_offer(
                Sku(shown.sku), shown.at, shown.kind, shown.for_sku, shown.relevance, shown.offer_id
            )
            found.append((shown.at, shown.offer_id, offer))
    found.sort(key=lambda entry: (entry[0], entry[1]))
    return tuple(offer for _, _, offer in found)


class MemoryDecisionReads:
    """`tactful.services.ports.decisions.DecisionReads` over a memory database's last commit."""

    def __init__(self, database: MemoryDatabase) -> None:
        self.database = database

    def read_inputs(
        self, customer_id: str, *, since: datetime, until: datetime, recent: datetime
    ) -> DecisionInputs:
        state = self.database.state
        customer = MemoryCustomerStore(state).get_customer(customer_id)
        orders: list[tuple[Any, list[Any], list[Any]]] = [
            (
                utc(o.created_at),
                [line.sku for line in o.lines],
                [line.source.value for line in o.lines],
            )
            for o in state.orders.orders.values()
            if o.customer_id == customer_id and utc(o.created_at) <= utc(until)
        ]
        purchases = summarise_purchases(orders, utc(recent), utc)
        return DecisionInputs(customer, purchases, _offer_events(state, customer_id, utc(since)))

    def past_orders(self, customer_id: str, *, until: datetime) -> tuple[PastOrder, ...]:
        """The customer's orders up to `until`, oldest first, with their SKUs."""
        found = [
            (utc(o.created_at), o.order_id, tuple(line.sku for line in o.lines))
            for o in self.database.state.orders.orders.values()
            if o.customer_id == customer_id and utc(o.created_at) <= utc(until)
        ]
        return tuple(PastOrder(at, skus) for at, _, skus in sorted(found))

    def close(self) -> None:
        """Nothing is held."""
