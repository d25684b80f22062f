"""The catalogue a decision reads, built from the stores (the SQL adapter caches it)."""

from __future__ import annotations

import threading

from tactful.domain.offers import OfferCatalog
from tactful.services.long_lived import keep_out_of_gc
from tactful.services.ports.catalog import CatalogStore
from tactful.services.ports.storage import Database


def load_catalog(store: CatalogStore) -> OfferCatalog:
    """Every product with its price history and bundles, indexed for decisions."""
    everything = store.all_products()
    skus = [p.sku for p in everything]
    history = store.price_history(skus)
    points = [point for series in history.values() for point in series]
    return OfferCatalog.build(everything, points, store.bundles_containing(skus))


class StoreCatalogSource:
    """`CatalogSource` loaded through a transaction on first use and on every `reload`.

    It notices no change made elsewhere: fine for one process over the memory database;
    the SQL adapter's `SqlCatalogSource` also polls for other processes' changes.
    """

    def __init__(self, database: Database) -> None:
        self.database = database
        self._lock = threading.Lock()
        self._catalog: OfferCatalog | None = None

    def current(self) -> OfferCatalog:
        """The loaded catalogue (loaded now on first use)."""
        catalog = self._catalog
        if catalog is None:
            with self._lock:
                catalog = self._catalog or self._load()
        return catalog

    def reload(self) -> None:
        """Load the catalogue again now."""
        with self._lock:
            self._load()

    def _load(self) -> OfferCatalog:
        with self.database.transaction() as tx:
            catalog = self._catalog = load_catalog(tx.catalog)
        keep_out_of_gc()
        return catalog
