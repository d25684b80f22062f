"""The database as services see it: a transaction that hands out one store per concept."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from tactful.services.ports.catalog import CatalogStore
from tactful.services.ports.checkout import CheckoutStore
from tactful.services.ports.customers import CustomerStore
from tactful.services.ports.events import EventStore
from tactful.services.ports.imports import ImportLog
from tactful.services.ports.model_jobs import ModelJobStore
from tactful.services.ports.models import ModelStore
from tactful.services.ports.offers import OfferLog
from tactful.services.ports.orders import OrderStore
from tactful.services.ports.payments import PaymentStore
from tactful.services.ports.platform_orders import PlatformOrderStore
from tactful.services.ports.refunds import RefundStore
from tactful.services.ports.webhooks_out import Outbox


class Transaction(Protocol):
    """The stores of one transaction: what is written through them commits together, or not."""

    @property
    def catalog(self) -> CatalogStore: ...

    @property
    def customers(self) -> CustomerStore: ...

    @property
    def orders(self) -> OrderStore: ...

    @property
    def events(self) -> EventStore: ...

    @property
    def offers(self) -> OfferLog: ...

    @property
    def models(self) -> ModelStore: ...

    @property
    def model_jobs(self) -> ModelJobStore: ...

    @property
    def checkout(self) -> CheckoutStore: ...

    @property
    def imports(self) -> ImportLog: ...

    @property
    def refunds(self) -> RefundStore: ...

    @property
    def payments(self) -> PaymentStore: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def platform_orders(self) -> PlatformOrderStore: ...


class Database(Protocol):
    """Where orders, catalogue, customers, offers and checkouts are kept."""

    def transaction(self) -> AbstractContextManager[Transaction]:
        """A transaction committed when the block ends normally, rolled back on an exception."""
        ...
