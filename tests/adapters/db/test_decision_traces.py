"""The trace of each logged decision: stored with it and read back, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from tactful.adapters.db.dashboard_reads import SqlDashboardReports
from tactful.adapters.db.repositories import catalog, offers
from tactful.adapters.db.transaction import SqlDatabase
from tactful.domain.catalog import Product, ProductKind, Sku
from tactful.domain.clock import FixedClock
from tactful.domain.money import Money
from tactful.domain.offers import CartLine, Evidence, InMemoryAffinity, Moment, ReasonCode
from tactful.domain.offers.trace_log import LoggedEvidence
from tactful.services.decisions import ActiveModel, DecisionRequest
from tests.services.wiring import decision_service

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
TENT = Sku("TENT")


def _rule(sku: str, count: int, lift: float) -> Evidence:
    return Evidence((TENT,), Sku(sku), count, 400, 0.06, 0.3, lift, 0.3)


def test_a_decisions_trace_reads_back_as_it_was_decided(engine: Engine) -> None:
    with engine.begin() as connection:
        catalog.upsert_products(
            connection,
            [
                Product(TENT, "Tent", Money(20000, "GBP"), ProductKind.PHYSICAL),
                Product(Sku("GUIDE"), "Guide", Money(900, "GBP"), ProductKind.PHYSICAL),
                Product(Sku("PEGS"), "Pegs", Money(500, "GBP"), ProductKind.PHYSICAL),
                Product(Sku("CANOPY"), "Canopy", Money(90000, "GBP"), ProductKind.PHYSICAL),
            ],
            at=NOW - timedelta(days=90),
        )
    rules = [_rule("GUIDE", 120, 3.0), _rule("PEGS", 2, 3.0), _rule("CANOPY", 80, 2.0)]
    service = decision_service(
        SqlDatabase(engine),
        model=lambda: ActiveModel(InMemoryAffinity(rules), "v"),
        clock=FixedClock(NOW),
    )
    request = DecisionRequest(customer_id="c-trace", moment=Moment.CART, cart=(CartLine(TENT),))
    decision = service.decide(request)

    found = SqlDashboardReports(engine).decision(decision.decision_id)

    assert found is not None
    assert found.trace is not None
    decided = [(e.sku, e.kind, e.for_sku, e.relevance, e.reasons) for e in decision.trace]
    read = [(c.sku, c.kind, c.for_sku, c.relevance, c.reasons) for c in found.trace]
    assert read == decided
    why = {c.sku: c.reasons for c in found.trace}
    assert why["GUIDE"] == (ReasonCode.KEPT,)
    assert ReasonCode.BELOW_RELEVANCE_FLOOR in why["PEGS"]
    assert ReasonCode.PRICE_ABOVE_CEILING in why["CANOPY"]
    assert [c.kept for c in found.trace].count(True) == len(decision.offers) == 1
    figures = {c.sku: (c.increase, c.currency, c.evidence) for c in found.trace}
    assert figures["GUIDE"] == (900, "GBP", LoggedEvidence(120, 400, 3.0, "orders", ("TENT",)))
    assert figures["CANOPY"] == (90000, "GBP", LoggedEvidence(80, 400, 2.0, "orders", ("TENT",)))
    assert found.names == {"TENT": "Tent", "GUIDE": "Guide", "PEGS": "Pegs", "CANOPY": "Canopy"}


def test_a_decision_logged_without_a_trace_reads_as_not_kept(engine: Engine) -> None:
    record = offers.DecisionRecord("dec_old", "c1", "cart", NOW, False, [{"sku": "TENT"}])
    with engine.begin() as connection:
        offers.save_decision(connection, record)

    found = SqlDashboardReports(engine).decision("dec_old")

    assert found is not None
    assert found.trace is None
