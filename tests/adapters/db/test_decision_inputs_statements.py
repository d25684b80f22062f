"""How a decision's reads reach the database: statements per read and SQLite query plans."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine

from tactful.adapters.db.repositories import customers as customers_repo
from tactful.adapters.db.repositories import decision_inputs as repo
from tactful.adapters.db.repositories import events as events_repo
from tactful.adapters.db.repositories import orders as orders_repo
from tactful.domain.customers import Consent, ConsentPurpose
from tactful.domain.events import EventType
from tests.adapters.db.decision_inputs_support import NOW, line, offer_event, order, reads


class _CountingDriver:
    """The driver connection, counting statements sent to the database."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.statements: list[str] = []

    def execute(self, sql: str, params: Any = ()) -> Any:
        self.statements.append(sql)
        return self.raw.execute(sql, params)

    def cursor(self) -> Any:
        return _CountingCursor(self)


class _CountingCursor:
    def __init__(self, driver: _CountingDriver) -> None:
        self.driver = driver
        self.cursor = driver.raw.cursor()

    def __enter__(self) -> _CountingCursor:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.cursor.close()

    def execute(self, sql: str, params: Any = ()) -> Any:
        self.driver.statements.append(sql)
        return self.cursor.execute(sql, params)

    def fetchall(self) -> Any:
        return self.cursor.fetchall()


class _Counted:
    """Stands in for a SQLAlchemy connection as the repository uses it."""

    def __init__(self, connection: Connection) -> None:
        self.dialect = connection.dialect
        self.driver = _CountingDriver(connection.connection.driver_connection)
        self.connection = self

    @property
    def driver_connection(self) -> _CountingDriver:
        return self.driver


def test_one_statement_reads_everything_but_sqlite_order_lines(engine: Engine) -> None:
    with engine.begin() as connection:
        orders_repo.insert_orders(connection, [order("o1", 2, line("MUG"))], source="api")
        events_repo.insert_events(connection, [offer_event("e", EventType.OFFER_SHOWN, 1)])
        customers_repo.record_consent(
            connection, "c1", Consent(ConsentPurpose.ONSITE_OFFERS, True, NOW, "web")
        )
    with engine.connect() as connection:
        counted = _Counted(connection)
        cached = reads(counted, purchases=False)  # type: ignore[arg-type]
        assert len(counted.driver.statements) == 1
        cold = reads(counted)  # type: ignore[arg-type]
        sqlite = engine.dialect.name == "sqlite"
        assert len(counted.driver.statements) == (3 if sqlite else 2)
        unknown = reads(counted, "nobody")  # type: ignore[arg-type]
        assert len(counted.driver.statements) == (4 if sqlite else 3), "no lines read for no order"
    assert cached.customer is not None
    assert cached.offer_events
    assert cached.stamp[0] == 1
    assert cold._replace(purchases=None) == cached
    assert cold.purchases
    assert unknown == repo.CustomerReads(None, (0, None), (), ())


def test_sqlite_reads_lines_from_indexes_alone_without_sorting(engine: Engine) -> None:
    """The lines' order within an order comes from the index walk, so no sort may step in."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        plan = connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + repo._SQLITE_LINES_SQL, ("c1", "2025-01-01")
        ).all()
    steps = " / ".join(str(row[-1]) for row in plan)
    assert "TEMP B-TREE" not in steps
    assert steps.count("COVERING INDEX") == 2, steps


def test_sqlite_reads_shown_offers_from_the_covering_index_alone(engine: Engine) -> None:
    """A customer's impressions are read on every decision: no table row may be visited."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        plan = connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + repo._READS_SQL, repo._params("c1", "2025-01-01")
        ).all()
    steps = [str(row[-1]) for row in plan if "offer_impressions" in str(row[-1])]
    assert steps == [
        "SEARCH offer_impressions USING COVERING INDEX ix_offer_impressions_customer_shown "
        "(customer_id=? AND at>?)"
    ]
