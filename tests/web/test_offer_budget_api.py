"""The weekly offer budget over real HTTP: page views re-render offers, they do not spend them.

Issue 21, bug 6: three identical cart decisions used to exhaust the budget. The storefront
calls POST /v1/decisions on every page view, so refreshes, back and forward and a second tab
must show the same offers again without spending anything; only distinct offers count.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from tactful.adapters.db.tables_shared import offer_budget_spends
from tests.conftest import LiveServer
from tests.web.test_api_decisions import SECRET, customer_ids, post

LADDERS = 8  # more distinct upsells than the budget of 6 allows in a week


def add_ladders(server: LiveServer) -> None:
    products = [
        {
            "sku": f"L{n}_{rung}",
            "name": f"Ladder {n} {rung}",
            "price": 1000 + 200 * rank + n,
            "currency": "GBP",
            "tier": {"ladder": f"l{n}", "rank": rank},
            "outcome": f"More from {n}",
        }
        for n in range(LADDERS)
        for rank, rung in ((1, "BASE"), (2, "PLUS"))
    ]
    assert post(server, "/v1/products", {"products": products}, SECRET).status_code == 200


def view_cart(server: LiveServer, customer: str, ladder: int) -> list[str]:
    body = {"customer_id": customer, "moment": "cart", "cart": [{"sku": f"L{ladder}_BASE"}]}
    response = post(server, "/v1/decisions", body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return [offer["sku"] for offer in answer["offers"]]


def spends(engine: Engine, customer: str) -> int:
    query = sa.select(sa.func.count()).where(offer_budget_spends.c.customer_id == customer)
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def test_refreshes_back_forward_and_two_tabs_spend_nothing(
    live_server: LiveServer, engine: Engine
) -> None:
    add_ladders(live_server)
    shopper = customer_ids(held_out=False)
    for _refresh in range(5):
        assert view_cart(live_server, shopper, 0) == ["L0_PLUS"]
    for _back_and_forward in range(3):
        assert view_cart(live_server, shopper, 1) == ["L1_PLUS"]
        assert view_cart(live_server, shopper, 0) == ["L0_PLUS"]
    with ThreadPoolExecutor(2) as tabs:  # the same cart open in two tabs
        both = list(tabs.map(lambda _tab: view_cart(live_server, shopper, 1), range(2)))
    assert both == [["L1_PLUS"], ["L1_PLUS"]]
    assert spends(engine, shopper) == 2  # two distinct offers shown, however often

    for ladder in range(2, 6):  # four new offers fill the budget of 6
        assert view_cart(live_server, shopper, ladder) == [f"L{ladder}_PLUS"]
    assert view_cart(live_server, shopper, 6) == []  # a seventh distinct offer is refused
    assert view_cart(live_server, shopper, 0) == ["L0_PLUS"]  # still shown on a refresh
    assert spends(engine, shopper) == 6
