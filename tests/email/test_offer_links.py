"""An offer's one-click path: a signed hosted-checkout link, or our signed offer page."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import httpx

from tactful.adapters.email import JinjaMailTemplates
from tactful.domain.catalog import Sku
from tactful.domain.checkout.links import verify_link
from tactful.domain.money import Money
from tactful.domain.offers import Format, Offer, OfferKind
from tactful.domain.offers.decision import PriceBlock
from tactful.services.email_compose import Draft, EmailConfig, compose
from tactful.services.sequences import parse_text
from tactful.settings import Settings
from tests.conftest import LiveServer
from tests.email.support import SEQUENCE_YAML, T0

OFFER = Offer(
    offer_id="off_1",
    key="k",
    kind=OfferKind.CROSS_SELL,
    sku=Sku("WORKBOOK"),
    for_sku=Sku("COURSE"),
    format=Format.EMAIL,
    headline="Finish every lesson with the workbook",
    reason="Bought together in 31% of orders with the course",
    price=PriceBlock(Money(1900, "GBP")),
    cart_total_after=Money(1900, "GBP"),
    evidence=None,
    relevance=0.4,
    decline_label="No thanks",
)
CONFIG = EmailConfig(base_url="https://shop.example", secret=b"s3cret-s3cret-s3cret")


def _offer_link(extra: str) -> str:
    text = SEQUENCE_YAML.replace("    holdout: 0.0\n", f"    holdout: 0.0\n{extra}")
    [sequence] = parse_text(text, "seq.yaml")
    draft = Draft(41, sequence, 3, "cust-1", "a@example.com", (), (OFFER,), T0)
    mail = compose(CONFIG, JinjaMailTemplates(), draft)
    click = next(w for w in mail.text.split() if "/email/click?" in w)
    return dict(parse_qsl(urlsplit(click).query))["u"]


def test_a_checkout_page_link_fixes_item_price_and_customer() -> None:
    target = _offer_link("    checkout_page: course\n")
    parts = urlsplit(target)
    assert parts.path == "/c/course"
    terms = verify_link(CONFIG.secret, "course", dict(parse_qsl(parts.query)), now=T0)
    assert (terms.sku, terms.price, terms.quantity, terms.customer) == (
        "WORKBOOK",
        1900,
        1,
        "cust-1",
    )


def test_the_default_offer_page_checks_its_signature(
    live_server: LiveServer, settings: Settings
) -> None:
    from tactful.container_parts import email_config

    config = email_config(settings)
    text = SEQUENCE_YAML
    [sequence] = parse_text(text, "seq.yaml")
    draft = Draft(41, sequence, 3, "cust-1", "a@example.com", (), (OFFER,), T0)
    mail = compose(config, JinjaMailTemplates(), draft)
    click = next(w for w in mail.text.split() if "/email/click?" in w)
    target = dict(parse_qsl(urlsplit(click).query))["u"].replace(settings.base_url, live_server.url)
    assert "19.00" in httpx.get(target).text
    assert httpx.get(target.replace("price=1900", "price=100")).status_code == 400
