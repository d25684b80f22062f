"""Protocols the domain needs from the outside world; adapters implement them.

Each part of tactful adds the ports it needs here (order history for mining, rule store
and offer log for decisions, mailer for sequences); the clock lives in `clock.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from tactful.domain.catalog import PricePoint, Product, Sku
from tactful.domain.customers import Customer, CustomerId
from tactful.domain.events import Event
from tactful.domain.orders import Order


class Catalog(Protocol):
    """Reads and writes products and their price history."""

    def get_products(self, skus: Iterable[Sku]) -> dict[Sku, Product]: ...

    def price_history(self, sku: Sku) -> list[PricePoint]: ...


class Customers(Protocol):
    """Reads customers with their consents."""

    def get_customer(self, customer_id: CustomerId) -> Customer | None: ...


class OrderHistory(Protocol):
    """Reads past orders."""

    def orders_of(self, customer_id: CustomerId) -> list[Order]: ...


class EventLog(Protocol):
    """Stores behavioural events once per id."""

    def record(self, events: Iterable[Event]) -> int: ...
