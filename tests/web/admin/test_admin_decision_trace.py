"""The admin decision page shows why each candidate was kept or dropped, over real HTTP."""

from __future__ import annotations

import html
from datetime import UTC, datetime

import httpx
from sqlalchemy import Engine

from tactful.adapters.db.repositories import offers
from tactful.domain.offers.reasons import reason_text
from tests.conftest import LiveServer
from tests.web.admin.test_admin_site import sign_in
from tests.web.test_api_decisions import customer_ids, decide, shop  # noqa: F401 (fixture)


def test_the_page_shows_every_candidate_with_the_reason_it_was_dropped(
    shop: LiveServer,  # noqa: F811
) -> None:
    answer = decide(shop, customer_ids(held_out=False))
    dropped = [entry for entry in answer["trace"] if not entry["kept"]]
    assert dropped
    assert len(dropped) < len(answer["trace"])

    with httpx.Client(base_url=shop.url) as client:
        sign_in(client)
        page = html.unescape(client.get(f"/admin/decisions/{answer['decision_id']}").text)

    assert "Why each candidate was kept or dropped" in page
    assert "the log keeps the offers shown" not in page
    rows = page.split("<tbody>")[-1].split("</tbody>")[0].split("<tr")[1:]
    assert len(rows) == len(answer["trace"])
    for row, entry in zip(rows, answer["trace"], strict=True):
        assert entry["sku"] in row
        if entry["kept"]:
            assert ">kept<" in row
        else:
            assert ">dropped<" in row
            assert all(reason_text(code) in row for code in entry["reasons"]), row
        assert f"+£{entry['price_increase'] / 100:,.2f}" in row, row
        assert entry["kind"] == "upsell"  # this shop has ladders and no mined model
        assert f"An upgrade from {entry['for_sku'].title()}" in row, row
        assert f"{entry['relevance']:.3f}" in row


def test_held_out_and_untraced_decisions_say_so(shop: LiveServer, engine: Engine) -> None:  # noqa: F811
    held = decide(shop, customer_ids(held_out=True))
    old = offers.DecisionRecord("dec_before", "c1", "cart", datetime.now(UTC), False, [])
    simulated = offers.DecisionRecord("sim7-d0", "c1", "cart", datetime.now(UTC), False, [])
    before_figures = offers.DecisionRecord(
        "dec_reasons_only", "c1", "cart", datetime.now(UTC), False, [],
        trace='[["GUIDE","cross_sell","TENT",0.25,["kept"]],["PEGS","cross_sell","TENT",0.1,'
        '["below_relevance_floor"]]]',
    )  # fmt: skip
    with engine.begin() as connection:
        offers.save_decision(connection, old)
        offers.save_decision(connection, simulated)
        offers.save_decision(connection, before_figures)

    with httpx.Client(base_url=shop.url) as client:
        sign_in(client)
        held_page = html.unescape(client.get(f"/admin/decisions/{held['decision_id']}").text)
        old_page = client.get("/admin/decisions/dec_before").text
        simulated_page = client.get("/admin/decisions/sim7-d0").text
        reasons_only = client.get("/admin/decisions/dec_reasons_only")

    assert "every candidate was dropped by design" in held_page
    assert reason_text("held_out") in held_page
    assert "Trace not kept" in old_page
    assert "Why each candidate" in old_page
    assert "Simulated decision" in simulated_page
    assert "Trace not kept" not in simulated_page
    assert "Simulated decision" not in old_page
    assert reasons_only.status_code == 200
    assert "logged before tactful kept each candidate's figures" in reasons_only.text
    assert reason_text("below_relevance_floor") in reasons_only.text
    assert "why it was proposed" not in reasons_only.text
