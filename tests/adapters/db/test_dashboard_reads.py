"""The dashboard's SQL aggregates equal the same figures counted in Python from the raw rows."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import Engine, select

from tactful.adapters.db.dashboard_reads import SqlDashboardReports
from tactful.adapters.db.tables import order_lines, orders
from tactful.adapters.db.tables_offers import decisions, offer_impressions, offer_responses
from tactful.adapters.db.tables_payments import order_refunds
from tactful.domain.dashboard import Period
from tests.support.dashboard_seed import START, refunded_offer_lines, seed_store

EVERYTHING = Period(START, datetime(2027, 1, 1, tzinfo=UTC))


def _rows(engine: Engine, table: Any) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(select(table)).mappings()]


def test_outcomes_are_net_revenue_after_the_first_decision(engine: Engine) -> None:
    seed_store(engine, decisions_count=400)
    outcomes = SqlDashboardReports(engine).outcomes(EVERYTHING)
    first: dict[str, datetime] = {}
    for row in _rows(engine, decisions):
        at = row["at"]
        first[row["customer_id"]] = min(first.get(row["customer_id"], at), at)
    values: Counter[str] = Counter()
    for line in _rows(engine, order_lines):
        values[line["order_id"]] += line["quantity"] * line["unit_price"]
    for refund in _rows(engine, order_refunds):
        values[refund["order_id"]] -= refund["amount_minor"]
    expected = sum(
        values[o["order_id"]]
        for o in _rows(engine, orders)
        if o["customer_id"] in first and o["created_at"] >= first[o["customer_id"]]
    )
    assert outcomes.held_out.size == len(first)
    assert int(outcomes.order_value.sum()) == expected
    assert outcomes.currency == "GBP"


def test_offer_stats_add_up_to_the_logs(engine: Engine) -> None:
    seed_store(engine, decisions_count=400)
    reports = SqlDashboardReports(engine)
    stats = reports.offer_stats(EVERYTHING)
    answers = Counter(str(r["response"]) for r in _rows(engine, offer_responses))
    offer_lines = [line for line in _rows(engine, order_lines) if line["offer_id"]]
    assert sum(s.impressions for s in stats) == len(_rows(engine, offer_impressions))
    assert sum(s.accepted for s in stats) == answers["accepted"]
    assert sum(s.declined for s in stats) == answers["declined"]
    assert sum(s.paid for s in stats) == len(offer_lines)
    assert sum(s.revenue for s in stats) == sum(
        line["quantity"] * line["unit_price"] for line in offer_lines
    )
    assert all(0 <= s.refunded <= s.revenue for s in stats)
    assert sum(s.refunded_lines for s in stats) == refunded_offer_lines(engine) > 0
    daily = reports.daily(EVERYTHING)
    assert sum(d.decisions for d in daily) == len(_rows(engine, decisions))
    assert sum(d.accepted for d in daily) == answers["accepted"]
    assert [d.day for d in daily] == sorted({d.day for d in daily})


def test_recent_decisions_carry_their_offers_and_answers(engine: Engine) -> None:
    seed_store(engine, decisions_count=50)
    reports = SqlDashboardReports(engine)
    newest = reports.recent_decisions(10)
    assert len(newest) == 10
    assert [d.at for d in newest] == sorted((d.at for d in newest), reverse=True)
    by_decision = defaultdict(list)
    for row in _rows(engine, offer_impressions):
        by_decision[row["decision_id"]].append(row["offer_id"])
    for decision in newest:
        assert [o.offer_id for o in decision.offers] == by_decision[decision.decision_id]
        # the list leaves each decision's stored trace and names unread; the single one reads them
        single = reports.decision(decision.decision_id)
        assert single is not None
        assert single.trace
        assert {o.sku for o in single.offers} <= set(single.names)
        assert replace(single, trace=None, names={}) == decision
    assert reports.decision("missing") is None
    span = reports.time_span()
    assert span is not None
    assert span[0] <= newest[-1].at <= span[1]


def test_an_empty_store(engine: Engine) -> None:
    reports = SqlDashboardReports(engine)
    outcomes = reports.outcomes(EVERYTHING)
    assert outcomes.held_out.size == 0
    assert np.sum(outcomes.order_value) == 0
    assert reports.offer_stats(EVERYTHING) == []
    assert reports.daily(EVERYTHING) == []
    assert reports.time_span() is None
    assert reports.currency() == "GBP"
