"""The /admin dashboard over real HTTP: sign-in, throttling, CSRF, headers, pages and CSV."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from tactful.settings import Settings
from tactful.web.app import create_app
from tests.conftest import LiveServer
from tests.support.dashboard_seed import refunded_offer_lines, seed_store

SECRET = "sk_test_secret_key_0123456789"
PUBLISHABLE = "pk_test_publishable_0123456789"
PASSWORD = "correct horse battery staple"
PAGES = [
    "/admin",
    "/admin?days=7",
    "/admin/offers",
    "/admin/experiments",
    "/admin/customers",
    "/admin/backtests",
    "/admin/sequences",
    "/admin/decisions",
    "/admin/decisions/dec_0000001",
]


@pytest.fixture
def site(engine: Engine, settings: Settings) -> Iterator[str]:
    seed_store(engine, decisions_count=300)
    configured = settings.model_copy(update={"admin_password": PASSWORD, "holdout_share": 0.1})
    with LiveServer(create_app(configured, engine=engine)) as server:
        yield server.url


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def sign_in(client: httpx.Client, password: str = SECRET) -> httpx.Response:
    form = client.get("/admin/login")
    return client.post(
        "/admin/login", data={"password": password, "csrf": _csrf(form.text), "next": "/admin"}
    )


def test_pages_need_a_session_even_with_an_api_key(site: str) -> None:
    with httpx.Client(base_url=site) as client:
        for key in (None, PUBLISHABLE, SECRET):
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            answer = client.get("/admin/offers", headers=headers)
            assert answer.status_code == 303
            assert answer.headers["location"] == "/admin/login?next=/admin/offers"
        assert client.get("/admin/csv/overview/daily.csv").status_code == 303


@pytest.mark.parametrize("password", [SECRET, PASSWORD])
def test_sign_in_walk_every_page_and_sign_out(site: str, password: str) -> None:
    with httpx.Client(base_url=site) as client:
        answer = sign_in(client, password)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/admin"
        cookie = answer.headers["set-cookie"]
        assert "HttpOnly" in cookie
        assert "Path=/admin" in cookie
        assert "SameSite=lax" in cookie
        for path in PAGES:
            page = client.get(path)
            assert page.status_code == 200, path
            assert "default-src 'none'" in page.headers["content-security-policy"]
            assert page.headers["x-frame-options"] == "DENY"
            assert page.headers["cache-control"] == "no-store"
            local = page.text.replace('xmlns="http://www.w3.org/2000/svg"', "")
            assert "http://" not in local, path  # nothing from elsewhere
            assert "https://" not in local, path
        statistics = client.get("/admin/csv/overview/statistics.csv").text.splitlines()
        assert statistics[0].startswith("metric,treated,held out,lift,95% CI")
        assert any(line.startswith('"Revenue per customer, CUPED",') for line in statistics)
        offers_csv = client.get("/admin/csv/offers/offers.csv").text.splitlines()
        assert "converted ≤ 7 d" in offers_csv[0]
        assert len(offers_csv) > 2
        overview = client.get("/admin").text
        assert "Incremental revenue" in overview
        assert "<svg" in overview
        assert client.get("/admin/decisions/nope").status_code == 404
        first = client.get("/admin/decisions").text
        older = re.search(r'href="(/admin/decisions\?before=[^"]+)"', first)
        assert older is not None
        second = client.get(older.group(1).replace("&amp;", "&")).text
        ids = re.findall(r"/admin/decisions/(dec_\d+)", first + second)
        assert len(ids) == 100
        assert len(set(ids)) == 100
        assert client.get("/admin/decisions?before=garbage").status_code == 200
        csv = client.get("/admin/csv/overview/incremental.csv")
        assert csv.headers["content-type"].startswith("text/csv")
        assert csv.text.splitlines()[0].startswith("day,incremental revenue (GBP)")
        assert len(csv.text.splitlines()) > 10
        token = _csrf(client.get("/admin").text)
        assert client.post("/admin/logout", data={"csrf": "forged"}).status_code == 403
        assert client.post("/admin/logout", data={"csrf": token}).status_code == 303
        assert client.get("/admin").status_code == 303


def test_wrong_passwords_are_throttled(site: str) -> None:
    with httpx.Client(base_url=site) as client:
        for _ in range(5):
            assert sign_in(client, "wrong password").status_code == 401
        blocked = sign_in(client, SECRET)
        assert blocked.status_code == 429
        assert int(blocked.headers["retry-after"]) > 0
        assert "admin" not in {c.name for c in client.cookies.jar if c.name == "tactful_admin"}


def test_sign_in_without_the_form_token_is_refused(site: str) -> None:
    with httpx.Client(base_url=site) as client:
        answer = client.post("/admin/login", data={"password": SECRET, "csrf": "x"})
        assert answer.status_code == 403
        assert "tactful_admin=" not in answer.headers.get("set-cookie", "")


def test_a_forged_cookie_and_an_outside_next_are_ignored(site: str) -> None:
    with httpx.Client(base_url=site) as client:
        client.cookies.set("tactful_admin", "9999999999.token.0000", path="/admin")
        assert client.get("/admin").status_code == 303
        form = client.get("/admin/login")
        answer = client.post(
            "/admin/login",
            data={"password": SECRET, "csrf": _csrf(form.text), "next": "//evil.example/"},
        )
        assert answer.headers["location"] == "/admin"


def test_an_empty_store_says_not_enough_data(
    tmp_path: Path, engine: Engine, settings: Settings
) -> None:
    with (
        LiveServer(create_app(settings, engine=engine)) as server,
        httpx.Client(base_url=server.url) as client,
    ):
        sign_in(client)
        for path in PAGES:
            assert client.get(path).status_code in (200, 404), path
        assert "Not enough data yet" in client.get("/admin").text
        experiments = client.get("/admin/experiments").text
        assert "No experiments yet" in experiments
        needed = re.search(r"not enough data yet: about ([\d,]+) customers per group", experiments)
        assert needed is not None  # the sample a merchant must wait for, not a bare "no"
        assert int(needed.group(1).replace(",", "")) > 0
        assert "No backtests saved yet" in client.get("/admin/backtests").text
        assert "No sequence has enrolled anyone yet" in client.get("/admin/sequences").text


def test_the_overview_draws_bars_by_segment_and_refuses_an_unknown_one(site: str) -> None:
    with httpx.Client(base_url=site, timeout=60) as client:
        sign_in(client)
        page = client.get("/admin", params={"segment": "moment"})
        assert page.status_code == 200
        assert "Lift by segment: moment" in page.text
        table = client.get("/admin/csv/overview/segments.csv", params={"segment": "moment"})
        assert table.status_code == 200
        assert {"checkout", "post_purchase", "product_page"} <= {
            line.split(",")[0] for line in table.text.splitlines()[1:]
        }
        refused = client.get("/admin", params={"segment": "planet"})
        assert refused.status_code == 422
        assert "segment" in refused.text


def test_the_funnel_ends_with_the_refunded_offer_lines(site: str, engine: Engine) -> None:
    """Offers shown, accepted, paid and refunded: four bars, and the table and CSV behind them
    count the refunded offer lines the stored refunds name or empty (full refunds)."""
    refunded = refunded_offer_lines(engine)
    with httpx.Client(base_url=site, timeout=60) as client:
        sign_in(client)
        page = client.get("/admin", params={"days": "all"}).text
        for twin in ("funnel", "funnel-narrow"):  # the wide chart and the phone's
            figure = re.search(f'<title id="{twin}-title">.*?</svg>', page, re.S)
            assert figure is not None
            assert figure.group(0).count("<rect") == 4
            assert "Refunded</text>" in figure.group(0)
            assert f"{refunded:,} (" in figure.group(0)
            assert "% of paid)</text>" in figure.group(0)  # a share of the paid lines
        rows = re.findall(r'<tr><th scope="row">([a-z ]+)</th><td class="num">([\d,]+)</td>', page)
        steps = dict(rows)
        assert list(steps)[:4] == ["offers shown", "accepted", "paid", "refunded"]
        assert steps["refunded"] == f"{refunded:,}"
        csv = client.get("/admin/csv/overview/funnel.csv", params={"days": "all"}).text
        assert csv.splitlines() == [
            "step,count",
            *(f"{step},{count.replace(',', '')}" for step, count in list(steps.items())[:4]),
        ]
    assert 0 < refunded < int(steps["paid"].replace(",", ""))


def test_negative_figures_show_the_minus_sign_and_csv_files_the_ascii_one(site: str) -> None:
    """Money, shares and lifts below zero read "−" (U+2212) on the pages, whichever helper
    formatted them; the CSV behind them keeps the hyphen-minus spreadsheets parse."""
    with httpx.Client(base_url=site, timeout=60) as client:
        sign_in(client)
        page = client.get("/admin", params={"days": "all"}).text
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", page)
        assert [c for c in cells if re.search(r"(^|[ (])-[£$€\d]", c)] == []
        negative = [c for c in cells if "\u2212" in c]
        assert any(c.endswith("%") for c in negative), negative  # a lift in percent
        assert any("£" in c for c in negative), negative  # and one in money
        for name in ("statistics", "incremental"):
            csv = client.get(f"/admin/csv/overview/{name}.csv", params={"days": "all"}).text
            assert "\u2212" not in csv
            assert re.search(r"(^|[ ,])-[£\d]", csv, re.M), name


def test_the_dashboard_serves_its_own_tab_icon(site: str) -> None:
    with httpx.Client(base_url=site) as client:
        icon = client.get("/admin/static/admin-icon.svg")
        assert icon.status_code == 200
        assert icon.headers["content-type"] == "image/svg+xml"
        assert icon.text.startswith("<svg")
        assert client.get("/admin/static/checkout.js").status_code == 404  # the admin's only
        login = client.get("/admin/login").text
        assert '<link rel="icon" href="/admin/static/admin-icon.svg"' in login
