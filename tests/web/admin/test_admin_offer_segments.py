"""The /admin offers page over real HTTP, split like the overview: the same `segment`
parameter and dimensions, each dimension's values from the overview's own split, and a
value's offers those shown to its customers (a country by its code or its name)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine, insert, select

from tactful.adapters.db.tables import customers
from tactful.adapters.db.tables_offers import decisions
from tactful.settings import Settings
from tactful.web.app import create_app
from tests.conftest import LiveServer
from tests.support.dashboard_seed import START, seed_store
from tests.web.admin.test_admin_site import sign_in

COUNTRIES = ("GB", "GB", "GB", "FR", "DE")


def seed_countries(engine: Engine) -> None:
    """A country for each customer of the seeded store: mostly GB, some FR and DE."""
    with engine.begin() as connection:
        ids = sorted(set(connection.execute(select(decisions.c.customer_id)).scalars()))
        connection.execute(
            insert(customers),
            [
                {"customer_id": c, "country": COUNTRIES[n % len(COUNTRIES)], "created_at": START}
                for n, c in enumerate(ids)
            ],
        )


@pytest.fixture
def client(engine: Engine, settings: Settings) -> Iterator[httpx.Client]:
    seed_store(engine, decisions_count=300)
    seed_countries(engine)
    configured = settings.model_copy(update={"holdout_share": 0.1})
    with (
        LiveServer(create_app(configured, engine=engine)) as server,
        httpx.Client(base_url=server.url) as signed_in,
    ):
        sign_in(signed_in)
        yield signed_in


def shown(client: httpx.Client, segment: str | None) -> int:
    """Offers shown, summed over the offers page's CSV of the segment."""
    params = {"segment": segment} if segment else {}
    answer = client.get("/admin/csv/offers/offers.csv", params=params)
    assert answer.status_code == 200, answer.text
    return sum(int(row["shown"]) for row in csv.DictReader(io.StringIO(answer.text)))


def test_the_offers_page_splits_by_the_overviews_segments(client: httpx.Client) -> None:
    every = client.get("/admin/offers")
    assert '<nav class="segmented" aria-label="Segment">' in every.text
    assert 'href="/admin/offers?days=all" aria-current="true">All customers' in every.text
    assert "Country values" not in every.text
    split = client.get("/admin/offers", params={"segment": "country"})
    assert 'aria-label="Country values"' in split.text
    for code, name in (("GB", "United Kingdom"), ("FR", "France"), ("DE", "Germany")):
        chip = f'segment=country%3A{code}">{name} <span class="n">'
        assert chip in split.text  # the link keeps the code, the chip names the country
    overview = client.get("/admin", params={"segment": "country"}).text
    names = ("United Kingdom", "France", "Germany")
    assert all(f'<th scope="row">{name}</th>' in overview for name in names)
    assert "United Kingdom (" in overview  # the bar's label
    assert ">GB (" not in overview
    table = client.get("/admin/csv/overview/segments.csv", params={"segment": "country"})
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert {(row["value"], row["code"]) for row in rows} >= {("France", "FR"), ("Germany", "DE")}
    britain = client.get("/admin/offers", params={"segment": "country:GB"})
    assert britain.status_code == 200
    assert 'segment=country%3AGB" aria-current="true"' in britain.text
    assert (
        "Offers shown to customers whose country is <strong>United Kingdom</strong> ("
        in britain.text
    )
    assert "?days=7&amp;segment=country%3AGB" in britain.text  # the period keeps the segment
    total = shown(client, None)
    parts = [shown(client, f"country:{code}") for code in ("GB", "FR", "DE")]
    assert all(part > 0 for part in parts)
    assert sum(parts) == total
    assert shown(client, "country:United Kingdom") == shown(client, "country:gb") == parts[0]


def test_moments_split_the_offers_and_a_bad_segment_names_the_field(
    client: httpx.Client,
) -> None:
    moments = client.get("/admin/offers", params={"segment": "moment"}).text
    assert "Offers made at" not in moments
    checkout = client.get("/admin/offers", params={"segment": "moment:checkout"})
    assert "Offers made at the moment <strong>checkout</strong>" in checkout.text
    assert 0 < shown(client, "moment:checkout") < shown(client, None)
    refused = client.get("/admin/offers", params={"segment": "planet:mars"})
    assert refused.status_code == 422
    assert "segment" in refused.text
