"""A live shop for checkout tests: the seeded page on a real server, a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Engine

from tactful.container import build_container
from tactful.domain.clock import FixedClock
from tactful.settings import Settings
from tactful.web.app import create_app
from tests.conftest import LiveServer
from tests.e2e.seed import PAGE, SECRET, SUCCESS_CARD, seed_catalogue

AUTH = {"Authorization": f"Bearer {SECRET}"}
JSON = {"Accept": "application/json"}


class Shop:
    """A live server with the seeded page, a movable clock and helpers for the flow."""

    def __init__(self, server: LiveServer, engine: Engine, clock: FixedClock) -> None:
        self.server, self.engine, self.clock = server, engine, clock
        self.url = server.url

    def link(self, **terms: object) -> str:
        response = httpx.post(
            f"{self.url}/v1/checkout-links", json={"page": PAGE["slug"], **terms}, headers=AUTH
        )
        assert response.status_code == 201, response.text
        parts = urlsplit(response.json()["url"])
        return f"{self.url}{parts.path}?{parts.query}"

    def pay(self, link: str, key: str, card: str = SUCCESS_CARD, **extra: object) -> httpx.Response:
        form: dict[str, object] = {
            "idempotency_key": key,
            "link": urlsplit(link).query,
            "email": "ann@example.com",
            "name": "Ann",
            "card_number": card,
            "card_exp": "12/34",
            "card_cvc": "123",
            **extra,
        }
        return httpx.post(f"{self.url}/c/{PAGE['slug']}/pay", data=form, headers=JSON)

    def paid_order(self, **extra: object) -> str:
        response = self.pay(self.link(), "pay-" + str(id(extra)), **extra)
        assert response.status_code == 200, response.text
        order_id: str = response.json()["order_id"]
        return order_id

    def offer_url(self, order_id: str, code: str, action: str) -> str:
        return f"{self.url}/c/{PAGE['slug']}/orders/{order_id}/offers/{order_id}-{code}/{action}"


def open_shop(settings: Settings, engine: Engine) -> Iterator[Shop]:
    """A live server with the seeded page and a clock the test moves."""
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
    seed_catalogue(engine, clock.now())
    app = create_app(settings, container=build_container(settings, engine=engine, clock=clock))
    with LiveServer(app) as server:
        response = httpx.post(f"{server.url}/v1/checkout-pages", json=PAGE, headers=AUTH)
        assert response.status_code == 201, response.text
        yield Shop(server, engine, clock)
