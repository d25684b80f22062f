"""Card testing, tampered terms: the amount charged always equals the server's own quote.

Hypothesis builds honest checkouts (a link, maybe with a signed price, a quantity and ticked
bumps) and then tampers with them the way a card tester or a bargain hunter would: extra
`price`, `amount`, `total`, `currency` and `discount` fields in the link's query string, in
the form and as a JSON body; negative, huge, non-numeric and non-ASCII quantities; bumps the
page does not offer; offers of other orders; duplicated parameters. Over real HTTP against a
live server, every answer must be either a 4xx naming the field, with nothing charged, or a
payment whose gateway charge is exactly what `GET /c/{slug}/quote` says for the untampered
terms. Never a 5xx, never any other amount.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from tactful.adapters.db.tables_checkout import charges
from tactful.adapters.memory.counters import MemoryWindowCounters
from tactful.container import build_container
from tactful.domain.clock import FixedClock
from tactful.settings import Settings
from tactful.web.app import create_app
from tactful.web.card_testing import Limits, PayGuard
from tests.conftest import LiveServer
from tests.e2e.seed import PAGE, PRICES, SUCCESS_CARD, count_charges, seed_catalogue
from tests.web.checkout_shop import AUTH, JSON, Shop

SLUG = PAGE["slug"]
MONEY_FIELDS = ("price", "amount", "total", "currency", "discount", "unit_price", "tax")
HOSTILE_NUMBERS = st.sampled_from(
    ["-1", "0", "-2900", "1e9", "1.5", "0x10", "NaN", "", " ", "²", "٣", "9" * 5000, "1;DROP"]
)
FIELD_VALUES = st.one_of(
    HOSTILE_NUMBERS,
    st.integers(-(10**20), 10**20).map(str),
    st.sampled_from(["USD", "gbp", "XXX", "", "€"]),
    st.text(max_size=20),
)
SLOTS = ("u1", "d1", "u2", "d2")
SLOT_SKUS = {"u1": "COACHING", "d1": "COACHING_LITE", "u2": "TEMPLATES", "d2": "TEMPLATES_MINI"}
_keys = itertools.count()

EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def shop(settings: Settings, engine: Engine) -> Iterator[Shop]:
    """A live server with the seeded page; pay limits raised so only tampering is tested."""
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
    seed_catalogue(engine, clock.now())
    app = create_app(settings, container=build_container(settings, engine=engine, clock=clock))
    limits = Limits(attempts_per_address=10**6, declines_per_address=10**6)
    app.state.pay_guard = PayGuard(MemoryWindowCounters(), b"key", limits)
    with LiveServer(app) as server:
        response = httpx.post(f"{server.url}/v1/checkout-pages", json=PAGE, headers=AUTH)
        assert response.status_code == 201, response.text
        yield Shop(server, engine, clock)


@dataclass
class Honest:
    """What an honest customer asks for; the quote for it is the only amount allowed."""

    price: int | None
    quantity: int | None
    bumps: list[str]


@dataclass
class Tampering:
    """What is added or changed on the way to the server."""

    link_extra: list[tuple[str, str]] = field(default_factory=list)
    form_extra: list[tuple[str, str]] = field(default_factory=list)
    quantity: str | None = None  # replaces the honest quantity
    bumps: list[str] = field(default_factory=list)  # bumps the page does not offer
    repeat: bool = False  # every honest field and bump sent twice
    as_json: bool = False  # the whole request as a JSON body instead of a form


honest_choices = st.builds(
    Honest,
    price=st.sampled_from([None, None, 0, 1900, 4500]),
    quantity=st.sampled_from([None, 1, 2, 3]),
    bumps=st.lists(st.sampled_from(["WORKBOOK", "CHEATSHEET"]), unique=True),
)
pairs = st.tuples(st.sampled_from([*MONEY_FIELDS, "quantity", "sku", "exp", "sig"]), FIELD_VALUES)
tamperings = st.builds(
    Tampering,
    link_extra=st.lists(pairs, max_size=1),
    form_extra=st.lists(st.tuples(st.sampled_from(MONEY_FIELDS), FIELD_VALUES), max_size=3),
    quantity=st.one_of(st.none(), HOSTILE_NUMBERS, st.sampled_from(["1", "3", "4", "100"])),
    bumps=st.lists(st.sampled_from(["COACHING", "COURSE", "", "workbook", "x" * 300]), max_size=1),
    repeat=st.booleans(),
    as_json=st.booleans(),
)


def _link_query(shop: Shop, price: int | None) -> list[tuple[str, str]]:
    """The signed link's query (or none: the page's own terms) as pairs."""
    if price is None:
        return []
    response = httpx.post(
        f"{shop.url}/v1/checkout-links", json={"page": SLUG, "price": price}, headers=AUTH
    )
    assert response.status_code == 201, response.text
    query = urlsplit(response.json()["url"]).query
    return [tuple(part.split("=", 1)) for part in query.split("&")]  # type: ignore[misc]


def _quote(shop: Shop, link: list[tuple[str, str]], quantity: str, bumps: list[str]) -> Any:
    """The page's own quote for the quantity the form sends (blank: the page's default)."""
    params = [*link, *([("quantity", quantity)] if quantity else [])]
    params += [("bump", sku) for sku in bumps]
    answer = httpx.get(f"{shop.url}/c/{SLUG}/quote", params=params, headers=JSON)
    assert answer.status_code == 200, answer.text
    quoted: dict[str, Any] = answer.json()
    assert not quoted["ignored_bumps"], quoted
    return quoted


def _sent_quantity(honest: Honest, bad: Tampering) -> str:
    return bad.quantity if bad.quantity is not None else str(honest.quantity or "")


def _names_field(body: dict[str, Any], names: set[str]) -> bool:
    """Whether a 4xx answer names one of `names` (error_field, or 'field: message')."""
    detail = str(body.get("detail") or body.get("message") or "")
    named = body.get("error_field") or detail.split(":", 1)[0]
    return named in names or any(f"parameter {name}" in detail for name in names)


def _charge(engine: Engine, charge_id: str) -> tuple[int, str]:
    query = select(charges.c.amount, charges.c.currency).where(charges.c.charge_id == charge_id)
    with engine.connect() as conn:
        amount, currency = conn.execute(query).one()
    return int(amount), str(currency)


def _send_pay(shop: Shop, link: list[tuple[str, str]], honest: Honest, bad: Tampering) -> Any:
    quantity = _sent_quantity(honest, bad)
    fields: list[tuple[str, str]] = [
        ("idempotency_key", f"tamper-{next(_keys)}"),
        ("link", urlencode([*link, *bad.link_extra])),
        ("email", "ann@example.com"),
        ("name", "Ann"),
        ("card_number", SUCCESS_CARD),
        ("card_exp", "12/34"),
        ("card_cvc", "123"),
        ("quantity", quantity),
        *[("bump", sku) for sku in [*honest.bumps, *bad.bumps]],
        *bad.form_extra,
    ]
    if bad.repeat:
        fields += fields[1:]
    url = f"{shop.url}/c/{SLUG}/pay"
    if bad.as_json:
        return httpx.post(url, json=dict(fields), headers=JSON)
    return httpx.post(url, content=urlencode(fields), headers={**JSON, **_FORM})


_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@EXAMPLES
@given(honest=honest_choices, bad=tamperings)
def test_a_tampered_payment_is_refused_or_charged_exactly_the_quote(
    shop: Shop, honest: Honest, bad: Tampering
) -> None:
    link = _link_query(shop, honest.price)
    quoted = _quote(shop, link, _sent_quantity(honest, bad), honest.bumps)
    before = count_charges(shop.engine)
    answer = _send_pay(shop, link, honest, bad)
    event(f"pay answered {answer.status_code}")
    assert answer.status_code < 500, answer.text
    body = answer.json()
    if answer.status_code >= 400:
        expected = {"quantity", "bump", "link", "price", "Idempotency-Key", "email"}
        assert _names_field(body, expected), body
        assert count_charges(shop.engine) == before, "a refused payment charged something"
        return
    assert answer.status_code == 200, body
    assert body["status"] == "paid", body
    assert not quoted["quantity_problem"], ("a quantity the page refuses was charged", body)
    assert _charge(shop.engine, body["charge_id"]) == (quoted["total"], "GBP"), (quoted, body)
    assert body["data"] == {"total": quoted["total"], "currency": "GBP"}
    assert count_charges(shop.engine) == before + 1


@EXAMPLES
@given(
    query=st.lists(st.tuples(st.sampled_from([*MONEY_FIELDS, "quantity", "bump"]), FIELD_VALUES))
)
def test_a_tampered_quote_never_fails_and_never_prices_below_the_page(
    shop: Shop, query: list[tuple[str, str]]
) -> None:
    answer = httpx.get(f"{shop.url}/c/{SLUG}/quote", params=query, headers=JSON)
    assert answer.status_code < 500, answer.text
    if answer.status_code >= 400:
        assert answer.json()["error"] == "invalid_link", answer.text
        return
    quoted = answer.json()
    assert quoted["total"] >= PRICES["COURSE"] * quoted["quantity"]
    assert quoted["currency"] == "GBP" if "currency" in quoted else True


offer_ids = st.one_of(
    st.just("{0}-u1"),  # the offer shown now: accepting it is honest, and must charge its price
    st.tuples(st.sampled_from([0, 1]), st.sampled_from(SLOTS)).map(lambda p: f"{{{p[0]}}}-{p[1]}"),
    st.sampled_from(["u0", "u3", "d9", "x1", "u", "u²", "u٣", "u" + "9" * 5000, "u-1", "u1 "]).map(
        lambda code: f"{{0}}-{code}"
    ),
    st.text(max_size=12).map(lambda t: t.replace("{", "").replace("}", "")),
)


@EXAMPLES
@given(
    offer=offer_ids,
    extra=st.lists(st.tuples(st.sampled_from(MONEY_FIELDS), FIELD_VALUES), max_size=3),
    as_json=st.booleans(),
)
def test_a_tampered_accept_charges_only_the_offer_shown(
    shop: Shop, offer: str, extra: list[tuple[str, str]], as_json: bool
) -> None:
    orders = [_paid_order(shop), _paid_order(shop)]
    offer_id = offer.format(*orders)
    url = f"{shop.url}/c/{SLUG}/orders/{orders[0]}/offers/{quote(offer_id, safe='')}/accept"
    headers = {**JSON, "Idempotency-Key": f"accept-{next(_keys)}"}
    before = count_charges(shop.engine)
    if as_json:
        answer = httpx.post(url, json=dict(extra), headers=headers)
    else:
        answer = httpx.post(url, content=urlencode(extra), headers={**headers, **_FORM})
    event(f"accept answered {answer.status_code}")
    assert answer.status_code < 500, answer.text
    if answer.status_code == 404 and "offer_id" not in answer.text:
        return  # the path names no offer route (an id with a '/')
    body = answer.json()
    if answer.status_code >= 400:
        assert _names_field(body, {"offer_id"}), body
        assert count_charges(shop.engine) == before
        return
    slot = offer_id.removeprefix(f"{orders[0]}-")
    assert body["status"] == "accepted", body
    assert slot in SLOT_SKUS, body
    amount = PRICES[SLOT_SKUS[slot]]  # the page's tax is inclusive: the offer shows its price
    assert _charge(shop.engine, body["charge_id"]) == (amount, "GBP"), body
    assert count_charges(shop.engine) == before + 1


def _paid_order(shop: Shop) -> str:
    n = next(_keys)  # each order its own buyer: one who bought an upsell is not offered it again
    answer = shop.pay(shop.link(), f"order-{n}", email=f"buyer-{n}@example.com")
    assert answer.status_code == 200, answer.text
    order_id: str = answer.json()["order_id"]
    return order_id


def test_what_the_fuzzing_found_is_refused_naming_the_field(shop: Shop) -> None:
    """Each of these was a 500 or a 503 before: '²' and 5,000-digit numbers broke int()."""
    link = [*_link_query(shop, 1900)]
    honest = Honest(None, None, [])
    for quantity in ("²", "9" * 5000):
        answer = _send_pay(shop, link, honest, Tampering(quantity=quantity))
        assert (answer.status_code, answer.json()["error_field"]) == (422, "quantity")
    free = _send_pay(shop, _link_query(shop, 0), honest, Tampering())
    assert (free.status_code, free.json()["error_field"]) == (422, "price")  # not a 503
    expiry = shop.pay(shop.link(), "bad-expiry", card_exp="²/34")
    assert (expiry.status_code, expiry.json()["error_field"]) == (422, "card_exp")
    quote = httpx.get(f"{shop.url}/c/{SLUG}/quote", params={"quantity": "9" * 5000}, headers=JSON)
    assert quote.json()["quantity"] == 1
    assert "at most 3" in quote.json()["quantity_problem"]
    order_id = _paid_order(shop)
    for code in ("u²", "u" + "9" * 5000):
        url = f"{shop.url}/c/{SLUG}/orders/{order_id}/offers/{order_id}-{code}/accept"
        refused = httpx.post(url, headers={**JSON, "Idempotency-Key": f"found-{len(code)}"})
        assert (refused.status_code, refused.json()["error_field"]) == (404, "offer_id")
    assert count_charges(shop.engine) == 1
