"""POST /v1/decisions and responses over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from itertools import count
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from tactful.adapters.db.tables import events
from tactful.adapters.db.tables_offers import decisions, offer_impressions, offer_responses
from tactful.domain.experiments import assign
from tactful.domain.offers import OfferPolicy
from tests.conftest import LiveServer

SECRET = {"Authorization": "Bearer sk_test_secret_key_0123456789"}
PUBLISHABLE = {"Authorization": "Bearer pk_test_publishable_0123456789"}
SECRET = {"Authorization": "Bearer sk_test_secret_key_0123456789"}

LADDERS = [
    ("MAT", "mats", 1, 2000),
    ("MAT_PLUS", "mats", 2, 2600),
    ("MAT_PRO", "mats", 3, 3200),
    ("TENT", "tents", 1, 10000),
    ("TENT_PLUS", "tents", 2, 12000),
    ("TENT_PRO", "tents", 3, 15000),
]


def post(server: LiveServer, path: str, body: Any, headers: dict[str, str] = PUBLISHABLE) -> Any:
    return httpx.post(f"{server.url}{path}", json=body, headers=headers, timeout=30)


def rows(engine: Engine, table: sa.Table, **where: Any) -> list[Any]:
    query = sa.select(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    with engine.connect() as connection:
        return list(connection.execute(query))


def customer_ids(*, held_out: bool) -> str:
    policy = OfferPolicy()
    for n in count():
        candidate = f"shopper-{n}"
        if assign(candidate, policy.holdout_salt, policy.holdout_share) == held_out:
            return candidate
    raise AssertionError("unreachable")


@pytest.fixture
def shop(live_server: LiveServer) -> LiveServer:
    """A live server with two three-rung ladders in its catalogue."""
    products = [
        {
            "sku": sku,
            "name": sku.replace("_", " ").title(),
            "price": price,
            "currency": "GBP",
            "tier": {"ladder": ladder, "rank": rank},
            "outcome": f"Sleep better with {sku}" if rank > 1 else None,
        }
        for sku, ladder, rank, price in LADDERS
    ]
    assert post(live_server, "/v1/products", {"products": products}, SECRET).status_code == 200
    return live_server


def decide(server: LiveServer, customer: str, moment: str = "cart", **extra: Any) -> Any:
    body = {"customer_id": customer, "moment": moment, "cart": [{"sku": "MAT"}, {"sku": "TENT"}]}
    response = post(server, "/v1/decisions", {**body, **extra})
    assert response.status_code == 200, response.text
    return response.json()


def test_decision_has_the_full_shape(shop: LiveServer) -> None:
    body = decide(shop, customer_ids(held_out=False))
    assert set(body) >= {"decision_id", "held_out", "offers", "warnings", "trace"}
    assert body["held_out"] is False
    assert 1 <= len(body["offers"]) <= 2
    for offer in body["offers"]:
        assert offer["preselected"] is False
        assert offer["kind"] in {"cross_sell", "upsell", "bundle", "downsell"}
        assert offer["format"] in {"inline", "order_bump", "one_click", "banner", "modal", "email"}
        assert offer["for_sku"] in {"MAT", "TENT"}
        assert offer["headline"]
        assert offer["reason"]
        assert offer["decline_label"]
        assert set(offer["price"]) >= {"amount", "currency"}
        assert isinstance(offer["price"]["amount"], int)
        assert set(offer["evidence"]) == {"support", "confidence", "lift", "count"}
        assert isinstance(offer["cart_total_after"], int)
        assert offer["cart_total_after"] > 12000
    kept = [t for t in body["trace"] if t["kept"]]
    assert {t["sku"] for t in kept} == {o["sku"] for o in body["offers"]}
    assert len(body["trace"]) > len(body["offers"])
    assert any("over_offer_limit" in t["reasons"] for t in body["trace"])


def test_every_shown_offer_is_logged_as_impression(shop: LiveServer, engine: Engine) -> None:
    body = decide(shop, customer_ids(held_out=False), context={"channel": "web"})
    logged = rows(engine, decisions, decision_id=body["decision_id"])
    assert len(logged) == 1
    assert logged[0].held_out is False
    assert logged[0].offer_count == len(body["offers"])
    shown = rows(engine, offer_impressions, decision_id=body["decision_id"])
    assert {r.offer_id for r in shown} == {o["offer_id"] for o in body["offers"]}
    assert logged[0].channel == "web"
    assert {(r.sku, r.position) for r in shown} == {
        (o["sku"], n) for n, o in enumerate(body["offers"])
    }
    # The impression is the one record of an offer shown: no offer_shown event copies it.
    assert rows(engine, events, type="offer_shown") == []


def test_held_out_customer_gets_nothing_and_is_logged(shop: LiveServer, engine: Engine) -> None:
    customer = customer_ids(held_out=True)
    for _ in range(2):
        body = decide(shop, customer)
        assert body["held_out"] is True
        assert body["offers"] == []
        assert all("held_out" in t["reasons"] for t in body["trace"])
    logged = rows(engine, decisions, customer_id=customer)
    assert len(logged) == 2
    assert all(r.held_out for r in logged)
    assert rows(engine, offer_impressions, customer_id=customer) == []


def test_declined_offer_is_not_shown_again(shop: LiveServer, engine: Engine) -> None:
    customer = customer_ids(held_out=False)
    first = decide(shop, customer)
    declined = first["offers"][0]
    url = f"/v1/decisions/{first['decision_id']}/responses"
    answer = {"offer_id": declined["offer_id"], "response": "declined"}
    response = post(shop, url, answer)
    assert response.status_code == 200
    assert response.json()["duplicate"] is False
    again = post(shop, url, answer)
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert len(rows(engine, offer_responses, decision_id=first["decision_id"])) == 1
    stored = rows(engine, events, type="offer_declined")
    assert len(stored) == 1
    assert stored[0].sku == declined["sku"]
    assert stored[0].properties["offer_id"] == declined["offer_id"]
    second = decide(shop, customer)
    assert declined["sku"] not in {o["sku"] for o in second["offers"]}
    assert any(t["sku"] == declined["sku"] and "cooldown" in t["reasons"] for t in second["trace"])


def test_accepted_and_dismissed_are_recorded(shop: LiveServer, engine: Engine) -> None:
    body = decide(shop, customer_ids(held_out=False))
    url = f"/v1/decisions/{body['decision_id']}/responses"
    offers = body["offers"]
    assert (
        post(shop, url, {"offer_id": offers[0]["offer_id"], "response": "accepted"}).status_code
        == 200
    )
    assert (
        post(shop, url, {"offer_id": offers[-1]["offer_id"], "response": "dismissed"}).status_code
        == 200
    )
    kinds = {r.type for r in rows(engine, events)}
    assert {"offer_accepted", "offer_dismissed"} <= kinds


def test_unknown_decision_or_offer_is_404(shop: LiveServer) -> None:
    body = decide(shop, customer_ids(held_out=False))
    unknown_offer = post(
        shop,
        f"/v1/decisions/{body['decision_id']}/responses",
        {"offer_id": "off_never_shown", "response": "declined"},
    )
    assert unknown_offer.status_code == 404
    unknown_decision = post(
        shop,
        "/v1/decisions/dec_nope/responses",
        {"offer_id": body["offers"][0]["offer_id"], "response": "declined"},
    )
    assert unknown_decision.status_code == 404


def test_bad_response_value_names_field(shop: LiveServer) -> None:
    body = decide(shop, customer_ids(held_out=False))
    response = post(
        shop,
        f"/v1/decisions/{body['decision_id']}/responses",
        {"offer_id": body["offers"][0]["offer_id"], "response": "maybe"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "response"


def test_control_characters_in_ids_name_the_field(shop: LiveServer) -> None:
    """A NUL byte cannot be stored in PostgreSQL text: 422 naming the id, never a 500."""
    body = decide(shop, customer_ids(held_out=False))
    in_body = post(
        shop,
        f"/v1/decisions/{body['decision_id']}/responses",
        {"offer_id": "off_\x00", "response": "declined"},
    )
    assert in_body.status_code == 422
    assert in_body.json()["errors"][0]["field"] == "offer_id"
    in_path = post(
        shop,
        "/v1/decisions/dec%00x/responses",
        {"offer_id": body["offers"][0]["offer_id"], "response": "declined"},
    )
    assert in_path.status_code == 422
    assert in_path.json()["errors"][0]["field"] == "decision_id"
    refund = post(shop, "/v1/orders/o%00/refunds", {"amount": 1}, headers=SECRET)
    assert refund.status_code == 422
    assert refund.json()["errors"][0]["field"] == "order_id"


def test_nothing_during_payment(shop: LiveServer) -> None:
    body = decide(shop, customer_ids(held_out=False), moment="payment")
    assert body["offers"] == []
    assert all("payment_in_progress" in t["reasons"] for t in body["trace"])


def test_unknown_skus_are_warned_and_unknown_customer_is_fine(shop: LiveServer) -> None:
    response = post(
        shop,
        "/v1/decisions",
        {"customer_id": "never-seen", "moment": "cart", "cart": [{"sku": "GHOST", "quantity": 2}]},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["offers"] == []
    assert any("GHOST" in w for w in body["warnings"])


def test_cart_line_limit(shop: LiveServer) -> None:
    cart = [{"sku": f"S{i}", "quantity": 1} for i in range(500)]
    body = {"customer_id": "c-big", "moment": "cart", "cart": cart}
    assert post(shop, "/v1/decisions", body).status_code == 200
    too_many = post(shop, "/v1/decisions", {**body, "cart": [*cart, {"sku": "MAT"}]})
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "cart"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"moment": "teatime"}, "moment"),
        ({"cart": [{"sku": "MAT", "quantity": -1}]}, "cart.0.quantity"),
        ({"cart": [{"sku": "MAT", "quantity": "2"}]}, "cart.0.quantity"),
        ({"cart": [{"sku": "MAT", "quantity": 1.5}]}, "cart.0.quantity"),
        ({"cart": {"sku": "MAT"}}, "cart"),
        ({"customer_id": 42}, "customer_id"),
        ({"context": {"task": "napping"}}, "context.task"),
    ],
)
def test_bad_decision_input_names_field(
    shop: LiveServer, engine: Engine, change: dict[str, Any], field: str
) -> None:
    body = {"customer_id": "c1", "moment": "cart", "cart": [{"sku": "MAT"}], **change}
    response = post(shop, "/v1/decisions", body)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert rows(engine, decisions) == []


def test_oversized_decision_body_is_413(shop: LiveServer) -> None:
    cart = [{"sku": "X" * 100, "quantity": 1}] * 12_000
    response = post(shop, "/v1/decisions", {"customer_id": "c1", "moment": "cart", "cart": cart})
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


def test_a_discounted_upsell_of_several_units_cuts_every_unit(shop: LiveServer) -> None:
    variants = [{"name": "control", "weight": 50}, {"name": "off", "weight": 50}]
    variants[1]["discount_percent"] = 10
    body = {"name": "ten off", "variants": variants, "moments": ["cart"]}
    assert post(shop, "/v1/experiments", body, SECRET).status_code == 201
    seen = set()
    cart = [{"sku": "MAT", "quantity": 3}]
    for n in count():
        ask = {"customer_id": f"c{n}", "moment": "cart", "cart": cart}
        answer = post(shop, "/v1/decisions", ask).json()
        if answer["held_out"] or not answer["offers"]:
            continue
        [arm] = answer["experiments"]
        for offer in answer["offers"]:  # the cart holds only the three mats the offer replaces
            assert offer["kind"] == "upsell"
            assert offer["cart_total_after"] == 3 * offer["price"]["amount"], arm
        seen.add(arm["variant"])
        if seen == {"control", "off"}:
            break
