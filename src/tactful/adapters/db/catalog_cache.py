"""`CatalogSource` on SQL: the catalogue in memory, reloaded when a cheap stamp changes."""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Connection, Engine, func, select

from tactful.adapters.db.repositories.catalog import SqlCatalogStore
from tactful.adapters.db.tables import bundles, products
from tactful.domain.offers import OfferCatalog
from tactful.services.decision_reads import load_catalog
from tactful.services.long_lived import keep_out_of_gc

_log = logging.getLogger(__name__)


def catalog_stamp(connection: Connection) -> tuple[object, ...]:
    """What changes whenever a product or bundle does: counts, newest update, bundle prices."""
    product_part = select(func.count(), func.max(products.c.updated_at)).select_from(products)
    bundle_part = select(func.count(), func.sum(bundles.c.price)).select_from(bundles)
    return (*connection.execute(product_part).one(), *connection.execute(bundle_part).one())


class SqlCatalogSource:
    """The catalogue indexed in memory, so a decision reads no product rows.

    An upsert through this process reloads it before the upsert's request returns
    (`reload`); changes by other processes (importers, other workers) are noticed by a cheap
    stamp query every `recheck` seconds and reloaded in a background thread, so decisions
    never wait for a reload except the very first one.
    """

    def __init__(self, engine: Engine, *, recheck: float = 2.0) -> None:
        self._engine = engine
        self._recheck = recheck
        self._lock = threading.Lock()
        self._catalog: OfferCatalog | None = None
        self._stamp: tuple[object, ...] | None = None
        self._checked = 0.0
        self._checking = False

    def reload(self) -> None:
        """Load the catalogue now (after this process changed products)."""
        with self._lock, self._engine.connect() as connection:
            self._load(connection)

    def current(self) -> OfferCatalog:
        """The current catalogue: loaded on first use, refreshed in the background after."""
        catalog = self._catalog
        if catalog is None:
            return self._first()
        if time.monotonic() - self._checked >= self._recheck and not self._checking:
            self._checking = True
            threading.Thread(target=self._check, name="catalog-check", daemon=True).start()
        return catalog

    def _first(self) -> OfferCatalog:
        with self._lock:
            if self._catalog is not None:
                return self._catalog
            with self._engine.connect() as connection:
                return self._load(connection)

    def _check(self) -> None:
        try:
            with self._lock, self._engine.connect() as connection:
                if catalog_stamp(connection) != self._stamp:
                    self._load(connection)
                self._checked = time.monotonic()
        except Exception:  # a failed refresh keeps serving the catalogue it has
            _log.exception("catalogue refresh failed; keeping the loaded catalogue")
        finally:
            self._checking = False

    def _load(self, connection: Connection) -> OfferCatalog:
        self._stamp = catalog_stamp(connection)
        catalog = load_catalog(SqlCatalogStore(connection))
        self._catalog = catalog
        self._checked = time.monotonic()
        keep_out_of_gc()
        return catalog
