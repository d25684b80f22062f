"""Issue 21, bug 9 over the API: a currency change is never silent, subscriptions carry a
billing period, deadlines are written in the customer's time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from tactful.adapters.db.repositories.catalog import get_products
from tactful.domain.catalog import BillingPeriod
from tests.conftest import LiveServer
from tests.web.test_api_decisions import SECRET, customer_ids, post

MAT = {"sku": "MAT", "name": "Mat", "price": 2000, "currency": "GBP"}
MAT_PLUS = {"sku": "MAT_PLUS", "name": "Mat plus", "price": 2600, "currency": "GBP"}
LADDER = [
    {**MAT, "tier": {"ladder": "mats", "rank": 1}},
    {**MAT_PLUS, "tier": {"ladder": "mats", "rank": 2}, "outcome": "Sleep better"},
]


def test_a_currency_change_is_stored_and_named_in_warnings(live_server: LiveServer) -> None:
    assert "warnings" not in post(live_server, "/v1/products", {"products": [MAT]}, SECRET).json()
    euros = {**MAT, "currency": "EUR"}
    answer = post(live_server, "/v1/products", {"products": [MAT_PLUS, euros]}, SECRET)
    assert answer.status_code == 200
    (warning,) = answer.json()["warnings"]
    assert warning.startswith("products.1.currency: MAT changed from GBP to EUR")
    assert "currency_mismatch" in warning


def test_subscriptions_carry_a_billing_period(live_server: LiveServer, engine: Engine) -> None:
    plans = [
        {"sku": "BASIC", "name": "Basic", "price": 1000, "currency": "GBP"}
        | {"kind": "subscription", "billing_period": "month"},
        {"sku": "BASIC_YEAR", "name": "Basic yearly", "price": 10000, "currency": "GBP"}
        | {"kind": "subscription", "billing_period": "year"},
    ]
    assert post(live_server, "/v1/products", {"products": plans}, SECRET).status_code == 200
    with engine.connect() as connection:
        stored = get_products(connection, ["BASIC", "BASIC_YEAR"])
    assert stored["BASIC"].billing_period is BillingPeriod.MONTH
    assert stored["BASIC_YEAR"].billing_period is BillingPeriod.YEAR
    physical = {**MAT, "billing_period": "month"}
    refused = post(live_server, "/v1/products", {"products": [physical]}, SECRET)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "products.0.billing_period"


def ends(server: LiveServer, customer: str, **context: Any) -> Any:
    deadline = datetime(2031, 1, 15, 17, 0, tzinfo=UTC)  # winter: New York is UTC-5
    body = {
        "customer_id": customer,
        "moment": "cart",
        "cart": [{"sku": "MAT"}],
        "context": {"expires_at": deadline.isoformat(), **context},
    }
    return post(server, "/v1/decisions", body)


def test_deadlines_are_written_in_the_customers_time_zone(live_server: LiveServer) -> None:
    assert post(live_server, "/v1/products", {"products": LADDER}, SECRET).status_code == 200
    shopper = customer_ids(held_out=False)
    asked = ends(live_server, shopper, time_zone="America/New_York").json()
    assert asked["offers"][0]["urgency"]["text"] == "Offer ends 15 Jan 2031, 12:00 EST"
    stored = {"customers": [{"id": shopper, "timezone": "Asia/Tokyo"}]}
    assert post(live_server, "/v1/customers", stored, SECRET).status_code == 200
    own = ends(live_server, shopper).json()  # the time zone stored with the customer
    assert own["offers"][0]["urgency"]["text"] == "Offer ends 16 Jan 2031, 02:00 JST"
    unknown = ends(live_server, shopper, time_zone="Mars/Olympus")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "context.time_zone"
