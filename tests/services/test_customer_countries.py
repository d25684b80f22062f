"""A customer's country comes in with their orders (Online Retail's `Country`, Shopify's
export and webhooks, WooCommerce's webhook) on every database, stored as its ISO 3166-1
alpha-2 code whether the source named it or gave its code, and the reports' country segment
splits by it instead of putting everyone under `none`, found by either spelling."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tactful.adapters.importers import FileReaders
from tactful.domain.clock import FixedClock
from tactful.domain.customers import Customer, CustomerId
from tactful.services.importing import import_file
from tactful.services.order_webhooks import OrderWebhooks
from tactful.services.ports.storage import Database
from tactful.services.reports import ReportService
from tactful.services.simulation import SimulationRequest, SimulationService
from tests.services.history_wiring import history_reads
from tests.services.measurement_wiring import measurement_reads

NOW = datetime(2026, 3, 1, tzinfo=UTC)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "webhooks"
SECRETS = {"shopify": "shopify-secret-0123456789", "woocommerce": "woo-secret-0123456789"}
HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
COUNTRIES = ("United Kingdom", "France", "Germany")
CODES = ("GB", "FR", "DE")


def retail_rows(customers: int) -> str:
    """Two orders per customer, the customers spread over three countries."""
    rows = []
    for n in range(customers):
        country = COUNTRIES[n % len(COUNTRIES)]
        for order in range(2):
            day = 1 + (n + order * 7) % 27
            rows.append(
                f"5{n:04d}{order},2{n % 5:04d},ITEM {n % 5},2,2011-11-{day:02d} 10:00:00,"
                f"3.50,1{n:04d}.0,{country}\n"
            )
    return "".join(rows)


def country_of(database: Database, customer_id: str) -> str | None:
    with database.transaction() as tx:
        found = tx.customers.get_customer(customer_id)
    assert found is not None
    return found.country


def imported(database: Database, tmp_path: Path, text: str) -> None:
    path = tmp_path / "retail.csv"
    path.write_text(HEADER + text, encoding="utf-8")
    import_file(database, FileReaders(), path, "online-retail")


def test_an_online_retail_import_stores_each_customers_country(
    database: Database, tmp_path: Path
) -> None:
    with database.transaction() as tx:  # known before, from the API, without a country
        tx.customers.upsert_customers([Customer(CustomerId("10001"))], at=NOW)
    text = retail_rows(3) + "600000,20000,ITEM,1,2011-11-02 10:00:00,1.00,19999.0,Unspecified\n"
    imported(database, tmp_path, text)
    assert [country_of(database, f"1{n:04d}") for n in range(3)] == list(CODES)
    assert country_of(database, "19999") is None


def test_a_file_without_a_country_keeps_the_one_stored(database: Database, tmp_path: Path) -> None:
    imported(database, tmp_path, retail_rows(1))
    path = tmp_path / "no_country.csv"
    path.write_text(
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID\n"
        "700000,20000,ITEM,1,2011-11-20 10:00:00,1.00,10000.0\n",
        encoding="utf-8",
    )
    import_file(database, FileReaders(), path, "online-retail")
    assert country_of(database, "10000") == "GB"


def signed(platform: str, body: bytes) -> str:
    digest = hmac.new(SECRETS[platform].encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def test_order_webhooks_store_the_billing_country(database: Database) -> None:
    hooks = OrderWebhooks(database, FixedClock(NOW), SECRETS)
    for platform, name, topic in (
        ("shopify", "shopify_order.json", "orders/create"),
        ("woocommerce", "woocommerce_order.json", "order.created"),
    ):
        body = (FIXTURES / name).read_bytes()
        hooks.receive(platform, topic, body, signed(platform, body))
    assert country_of(database, "jon@example.com") == "US"  # Shopify names it and codes it
    assert country_of(database, "john.doe@example.com") == "US"  # WooCommerce codes it


def test_a_webhook_without_an_address_keeps_the_stored_country(database: Database) -> None:
    with database.transaction() as tx:
        known = Customer(CustomerId("jon@example.com"), country="Canada")
        tx.customers.upsert_customers([known], at=NOW)
    payload = json.loads((FIXTURES / "shopify_order.json").read_text())
    del payload["billing_address"], payload["shipping_address"]
    body = json.dumps(payload).encode()
    OrderWebhooks(database, FixedClock(NOW), SECRETS).receive(
        "shopify", "orders/create", body, signed("shopify", body)
    )
    assert country_of(database, "jon@example.com") == "Canada"


def test_the_country_segment_splits_by_the_stored_country(
    database: Database, tmp_path: Path
) -> None:
    imported(database, tmp_path, retail_rows(60))
    clock = FixedClock(NOW)
    simulation = SimulationService(database, history_reads(database), clock, holdout_share=0.2)
    simulation.run(SimulationRequest(days=14, customers=60, uplift=0.2, seed=3))
    reports = ReportService(measurement_reads(database), clock, holdout_share=0.2)
    span = {"since": NOW - timedelta(days=14), "until": NOW}
    split = reports.overview(**span, segment="country")["segments"]
    values = {key.split(":", 1)[1] for key in split if ":" in key}
    assert values == set(CODES)
    france = reports.overview(**span, segment="country:France")
    assert 0 < france["customers"]["treated"] == split["country:FR"]["customers"]["treated"]
    by_code = reports.overview(**span, segment="country:fr")
    assert by_code["customers"] == france["customers"]
