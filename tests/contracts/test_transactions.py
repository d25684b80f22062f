"""What every Database promises about transactions, whatever stores it holds."""

from __future__ import annotations

import pytest

from tactful.services.ports.storage import Database


def test_a_transaction_hands_out_every_store(database: Database) -> None:
    with database.transaction() as tx:
        stores = [tx.catalog, tx.customers, tx.orders, tx.events, tx.offers, tx.models]
        stores += [tx.checkout, tx.imports]
        assert all(store is not None for store in stores)
        assert tx.catalog is tx.catalog  # one store per transaction and concept


def test_an_exception_leaves_the_transaction_and_propagates(database: Database) -> None:
    with pytest.raises(RuntimeError, match="boom"), database.transaction():
        raise RuntimeError("boom")
    with database.transaction() as tx:
        assert tx.catalog is not None
