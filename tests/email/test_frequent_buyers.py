"""Frequent buyers get fewer offers by email, never more: the rule, and the worker on a real DB."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tactful.domain.offers import Offer
from tactful.domain.sequences import FrequentBuyers
from tactful.settings import Settings
from tests.email.support import T0, buy, customer, email_container, seed_shop
from tests.email.test_offer_links import OFFER

TWO_OFFERS_YAML = """\
sequences:
  - id: offers
    trigger: {type: order_placed, kind: digital}
    holdout: 0.0
    steps:
      - offer: {max_offers: 3, subject: "First picks"}
      - wait: 8d
      - offer: {max_offers: 3, subject: "More picks"}
    exit: [unsubscribe]
"""


@given(
    st.integers(0, 10),
    st.integers(0, 10),
    st.integers(1, 3),
    st.integers(1, 3),
    st.booleans(),
)
def test_more_orders_never_mean_more_offers(
    fewer: int, more: int, threshold: int, step_max: int, before: bool
) -> None:
    rule = FrequentBuyers(orders=threshold, max_offers=1)
    low, high = sorted((fewer, more))
    assert rule.offers_allowed(high, step_max, before) <= rule.offers_allowed(low, step_max, before)
    assert rule.offers_allowed(high, step_max, before) <= step_max
    assert FrequentBuyers(orders=0).offers_allowed(high, step_max, before) == step_max


class ThreeOffers:
    """The engine's answer, fixed: three offers whenever asked, at most `limit`."""

    def offers(self, customer_id: str, now: datetime, limit: int) -> list[Offer]:
        return [dataclasses.replace(OFFER, offer_id=f"off_{i}") for i in range(3)][:limit]

    def preview(self, customer_id: str, now: datetime, limit: int) -> list[Offer]:
        return self.offers(customer_id, now, limit)


@pytest.fixture
def shop(settings: Settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    container, sender = email_container(settings)
    path = tmp_path / "seq.yaml"
    path.write_text(TWO_OFFERS_YAML)
    container.sequences.load_file(path, T0 - timedelta(days=1))
    container.email.offers = ThreeOffers()
    container.email.config = dataclasses.replace(
        container.email.config, pause_after_purchase=timedelta(0)
    )
    seed_shop(container, [customer("regular"), customer("frequent")], at=T0)
    for day in (10, 20, 30, 40):
        buy(container, "frequent", "WORKBOOK", T0 - timedelta(days=day))
    yield container, sender
    container.close()


def test_a_frequent_buyer_gets_one_offer_mail_with_one_offer(shop) -> None:  # type: ignore[no-untyped-def]
    container, sender = shop
    for hours in range(0, 24 * 10, 6):
        container.email.run_due(T0 + timedelta(hours=hours, minutes=1))
    by_customer: dict[str, list[str]] = {}
    for mail in sender.sent:
        by_customer.setdefault(mail.to, []).append(mail.subject)
    assert by_customer["regular@example.com"] == ["First picks", "More picks"]
    assert by_customer["frequent@example.com"] == ["First picks"]
    skipped = [e for e in container.email.store.outbox(100) if e.error == "frequent buyer"]
    assert [e.customer_id for e in skipped] == ["frequent"]
