"""Twenty concurrent decisions for one customer across two `tactful serve` processes on
PostgreSQL never show more than the 6-per-7-days budget (issue 25, issue 21 bug 6).

The budget is spent by an atomic check in the database, not in process memory: each process
alone would think the budget untouched while the other one is spending it.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.tables_shared import offer_budget_spends
from tests.cli.test_serve_workers import SECRET_KEY
from tests.conftest import truncate_all
from tests.support.served import call, serve
from tests.web.test_api_decisions import customer_ids

DECISIONS = 20
BUDGET = 6


def cart(customer: str, ladder: int) -> dict[str, Any]:
    return {"customer_id": customer, "moment": "cart", "cart": [{"sku": f"L{ladder}_BASE"}]}


def add_ladders(url: str) -> None:
    products = [
        {"sku": f"L{n}_{rung}", "name": f"L{n} {rung}", "price": 1000 + 300 * rank}
        | {"currency": "GBP", "tier": {"ladder": f"l{n}", "rank": rank}, "outcome": "More"}
        for n in range(DECISIONS)
        for rank, rung in ((1, "BASE"), (2, "PLUS"))
    ]
    call(url, "/v1/products", {"products": products}, SECRET_KEY)


def wait_for_catalogue(url: str, timeout: float = 30) -> None:
    """Until this process knows the products the other one stored (another customer asks)."""
    deadline = time.monotonic() + timeout
    while call(url, "/v1/decisions", cart("catalogue-probe", 0))["warnings"]:
        assert time.monotonic() < deadline, "the second process never saw the products"
        time.sleep(0.2)


@pytest.mark.slow
@pytest.mark.postgres
def test_two_processes_never_overspend_one_customers_budget(
    postgres_url: str, tmp_path: Path
) -> None:
    engine = build_engine(postgres_url)
    truncate_all(engine)
    with ExitStack() as stack:
        servers = [stack.enter_context(serve(postgres_url, tmp_path / f"s{n}")) for n in (1, 2)]
        add_ladders(servers[0].url)
        wait_for_catalogue(servers[1].url)
        shopper = customer_ids(held_out=False)

        def decide(n: int) -> list[str]:
            answer = call(servers[n % 2].url, "/v1/decisions", cart(shopper, n))
            return [offer["sku"] for offer in answer["offers"]]

        with ThreadPoolExecutor(DECISIONS) as pool:
            shown = [sku for skus in pool.map(decide, range(DECISIONS)) for sku in skus]
    mine = offer_budget_spends.c.customer_id == shopper
    with engine.connect() as connection:
        spent = connection.execute(sa.select(sa.func.count()).where(mine)).scalar_one()
    engine.dispose()
    assert len(set(shown)) == len(shown) == BUDGET
    assert spent == BUDGET
