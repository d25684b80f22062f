"""The `Database` port in memory: a transaction works on a copy and swaps it in on commit."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

from tactful.adapters.memory.catalog import CatalogData, MemoryCatalogStore
from tactful.adapters.memory.checkout import CheckoutData, MemoryCheckoutStore
from tactful.adapters.memory.customers import CustomerData, MemoryCustomerStore
from tactful.adapters.memory.email_store import EmailData
from tactful.adapters.memory.events import EventData, MemoryEventStore
from tactful.adapters.memory.imports import ImportData, MemoryImportLog
from tactful.adapters.memory.model_jobs import MemoryModelJobStore, ModelJobData
from tactful.adapters.memory.models import MemoryModelStore, ModelData
from tactful.adapters.memory.offers import MemoryOfferLog, OfferData
from tactful.adapters.memory.orders import MemoryOrderStore, OrderData
from tactful.adapters.memory.outbox import MemoryOutbox, OutboxData
from tactful.adapters.memory.payments import MemoryPaymentStore, PaymentData
from tactful.adapters.memory.platform_orders import MemoryPlatformOrderStore, PlatformOrderData
from tactful.adapters.memory.refunds import MemoryRefundStore, RefundData


@dataclass
class MemoryState:
    """Everything a memory database holds, one part per store."""

    catalog: CatalogData = field(default_factory=CatalogData)
    customers: CustomerData = field(default_factory=CustomerData)
    orders: OrderData = field(default_factory=OrderData)
    events: EventData = field(default_factory=EventData)
    offers: OfferData = field(default_factory=OfferData)
    models: ModelData = field(default_factory=ModelData)
    model_jobs: ModelJobData = field(default_factory=ModelJobData)
    checkout: CheckoutData = field(default_factory=CheckoutData)
    imports: ImportData = field(default_factory=ImportData)
    refunds: RefundData = field(default_factory=RefundData)
    payments: PaymentData = field(default_factory=PaymentData)
    outbox: OutboxData = field(default_factory=OutboxData)
    email: EmailData = field(default_factory=EmailData)
    platform_orders: PlatformOrderData = field(default_factory=PlatformOrderData)


class MemoryTransaction:
    """The stores of one memory transaction, all over the same working copy of the state."""

    def __init__(self, state: MemoryState) -> None:
        self.state = state

    @cached_property
    def catalog(self) -> MemoryCatalogStore:
        return MemoryCatalogStore(self.state)

    @cached_property
    def customers(self) -> MemoryCustomerStore:
        return MemoryCustomerStore(self.state)

    @cached_property
    def orders(self) -> MemoryOrderStore:
        return MemoryOrderStore(self.state)

    @cached_property
    def events(self) -> MemoryEventStore:
        return MemoryEventStore(self.state)

    @cached_property
    def offers(self) -> MemoryOfferLog:
        return MemoryOfferLog(self.state)

    @cached_property
    def models(self) -> MemoryModelStore:
        return MemoryModelStore(self.state)

    @cached_property
    def model_jobs(self) -> MemoryModelJobStore:
        return MemoryModelJobStore(self.state)

    @cached_property
    def checkout(self) -> MemoryCheckoutStore:
        return MemoryCheckoutStore(self.state)

    @cached_property
    def imports(self) -> MemoryImportLog:
        return MemoryImportLog(self.state)

    @cached_property
    def refunds(self) -> MemoryRefundStore:
        return MemoryRefundStore(self.state)

    @cached_property
    def payments(self) -> MemoryPaymentStore:
        return MemoryPaymentStore(self.state)

    @cached_property
    def outbox(self) -> MemoryOutbox:
        return MemoryOutbox(self.state)

    @cached_property
    def platform_orders(self) -> MemoryPlatformOrderStore:
        return MemoryPlatformOrderStore(self.state)


class MemoryDatabase:
    """The `Database` port in memory; transactions run one at a time (serializable)."""

    def __init__(self) -> None:
        self.state = MemoryState()
        self._lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[MemoryTransaction]:
        """Work on a copy of the state; swap it in when the block ends without an exception."""
        with self._lock:
            working = copy.deepcopy(self.state)
            yield MemoryTransaction(working)
            self.state = working
