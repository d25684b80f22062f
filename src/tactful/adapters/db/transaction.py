"""The `Database` port on SQLAlchemy: one connection per transaction, one store per concept."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property

from sqlalchemy import Connection, Engine

from tactful.adapters.db.platform_orders import SqlPlatformOrderStore
from tactful.adapters.db.repositories.catalog import SqlCatalogStore
from tactful.adapters.db.repositories.checkout import SqlCheckoutStore
from tactful.adapters.db.repositories.customers import SqlCustomerStore
from tactful.adapters.db.repositories.events import SqlEventStore
from tactful.adapters.db.repositories.imports import SqlImportLog
from tactful.adapters.db.repositories.model_jobs import SqlModelJobStore
from tactful.adapters.db.repositories.models import SqlModelStore
from tactful.adapters.db.repositories.offers import SqlOfferLog
from tactful.adapters.db.repositories.orders import SqlOrderStore
from tactful.adapters.db.repositories.payments import SqlPaymentStore
from tactful.adapters.db.repositories.refunds import SqlRefundStore
from tactful.adapters.db.webhook_store import SqlOutbox


class SqlTransaction:
    """The stores of one SQLAlchemy transaction (`tactful.services.ports.Transaction`)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    @cached_property
    def catalog(self) -> SqlCatalogStore:
        return SqlCatalogStore(self.connection)

    @cached_property
    def customers(self) -> SqlCustomerStore:
        return SqlCustomerStore(self.connection)

    @cached_property
    def orders(self) -> SqlOrderStore:
        return SqlOrderStore(self.connection)

    @cached_property
    def events(self) -> SqlEventStore:
        return SqlEventStore(self.connection)

    @cached_property
    def offers(self) -> SqlOfferLog:
        return SqlOfferLog(self.connection)

    @cached_property
    def models(self) -> SqlModelStore:
        return SqlModelStore(self.connection)

    @cached_property
    def model_jobs(self) -> SqlModelJobStore:
        return SqlModelJobStore(self.connection)

    @cached_property
    def checkout(self) -> SqlCheckoutStore:
        return SqlCheckoutStore(self.connection)

    @cached_property
    def imports(self) -> SqlImportLog:
        return SqlImportLog(self.connection)

    @cached_property
    def refunds(self) -> SqlRefundStore:
        return SqlRefundStore(self.connection)

    @cached_property
    def payments(self) -> SqlPaymentStore:
        return SqlPaymentStore(self.connection)

    @cached_property
    def outbox(self) -> SqlOutbox:
        return SqlOutbox(self.connection)

    @cached_property
    def platform_orders(self) -> SqlPlatformOrderStore:
        return SqlPlatformOrderStore(self.connection)


class SqlDatabase:
    """The `Database` port on a SQLAlchemy engine (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def transaction(self) -> Iterator[SqlTransaction]:
        """Begin, hand out the stores, commit (or roll back when the block raises)."""
        with self.engine.begin() as connection:
            yield SqlTransaction(connection)
