"""`CatalogSource` on SQL: the catalogue in memory, reloaded when its change counter moves."""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Connection, Engine

from tactful.adapters.db.repositories.catalog import SqlCatalogStore
from tactful.adapters.db.repositories.change_counters import CATALOG
from tactful.adapters.db.repositories.change_counters import version as change_version
from tactful.domain.offers import OfferCatalog
from tactful.services.decision_reads import load_catalog
from tactful.services.long_lived import keep_out_of_gc

_log = logging.getLogger(__name__)
_AFTER_FAILURE = 5.0
"""Seconds added before the next look after a failed one (the database may be down)."""
_IDLE_EXIT = 5.0
"""Seconds without a request for a look after which the looking thread ends."""


def catalog_stamp(connection: Connection) -> int:
    """The catalogue's change counter: every write to products, prices or bundles bumps it."""
    return change_version(connection, CATALOG)


class SqlCatalogSource:
    """The catalogue indexed in memory, so a decision reads no product rows.

    An upsert through this process reloads it before the upsert's request returns
    (`reload`); changes by other processes (`tactful import`, other workers) bump the
    catalogue's row in `change_counters` in their own transaction, and a request that finds
    the last look older than `recheck` seconds (0.1 s) wakes a background thread to read
    that row (one primary-key lookup) and reload on a new version. So decisions never wait
    for a reload (the server loads the catalogue at start, `DecisionService.start`), and a
    write by another process is seen within `recheck` seconds of the next decision. The
    thread lives while decisions keep asking and ends after `_IDLE_EXIT` seconds without a
    request: starting a thread for every look cost the event loop more than the look itself
    (bench/http_decisions.py).
    """

    def __init__(self, engine: Engine, *, recheck: float = 0.1) -> None:
        self._engine = engine
        self._recheck = recheck
        self._lock = threading.Lock()
        self._catalog: OfferCatalog | None = None
        self._stamp: int | None = None
        self._checked = 0.0
        self._checking = False
        self._asked = threading.Event()
        self._watcher_lock = threading.Lock()
        self._watcher: threading.Thread | None = None

    def reload(self) -> None:
        """Load the catalogue now (after this process changed products)."""
        with self._lock, self._engine.connect() as connection:
            self._load(connection)

    def current(self) -> OfferCatalog:
        """The current catalogue: loaded on first use (or at server start), refreshed in the
        background after."""
        catalog = self._catalog
        if catalog is None:
            return self._first()
        if time.monotonic() - self._checked >= self._recheck and not self._checking:
            self._checking = True
            self._ask_for_check()
        return catalog

    def _ask_for_check(self) -> None:
        """Wake the looking thread, started first if it is not running."""
        with self._watcher_lock:
            self._asked.set()
            if self._watcher is None:
                self._watcher = threading.Thread(
                    target=self._watch, name="catalog-check", daemon=True
                )
                self._watcher.start()

    def _watch(self) -> None:
        """Look each time asked; end once nobody asked for `_IDLE_EXIT` seconds."""
        while True:
            if not self._asked.wait(_IDLE_EXIT):
                with self._watcher_lock:
                    if not self._asked.is_set():
                        self._watcher = None
                        return
            self._asked.clear()
            self._check()

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
            self._checked = time.monotonic() + _AFTER_FAILURE  # no log line every 0.1 s
        finally:
            self._checking = False

    def _load(self, connection: Connection) -> OfferCatalog:
        self._stamp = catalog_stamp(connection)
        catalog = load_catalog(SqlCatalogStore(connection))
        self._catalog = catalog
        self._checked = time.monotonic()
        keep_out_of_gc()
        return catalog
