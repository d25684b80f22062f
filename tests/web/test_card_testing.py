"""Card testing held off on the hosted pay form: 429 after too many declines, nothing charged."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from tactful.adapters.memory.counters import MemoryWindowCounters
from tactful.settings import Settings
from tactful.web.card_testing import Limits, PayGuard
from tests.e2e.seed import DECLINED_CARD, SUCCESS_CARD, count_charges
from tests.web.checkout_shop import Shop, open_shop

UNKNOWN_CARDS = [f"4111 1111 1111 {n:04d}" for n in range(10)]  # refused: not test cards


@pytest.fixture
def shop(settings: Settings, engine: Engine) -> Iterator[Shop]:
    yield from open_shop(settings, engine)


def test_a_card_declined_three_times_gets_429_and_reaches_no_gateway(shop: Shop) -> None:
    link = shop.link()
    answers = [shop.pay(link, f"declined-{n}", card=DECLINED_CARD) for n in range(3)]
    assert [a.status_code for a in answers] == [402, 402, 402]
    charges = count_charges(shop.engine, None)
    refused = shop.pay(link, "declined-4", card=DECLINED_CARD)
    assert refused.status_code == 429, refused.text
    assert refused.headers["retry-after"].isdigit()
    assert refused.json()["detail"].startswith("card_number: ")
    assert count_charges(shop.engine, None) == charges  # the gateway was not asked
    assert shop.pay(link, "good-card", card=SUCCESS_CARD).status_code == 200


def test_five_declines_from_one_address_stop_every_card(shop: Shop) -> None:
    link = shop.link()
    for n, card in enumerate(UNKNOWN_CARDS[:5]):
        assert shop.pay(link, f"tester-{n}", card=card).status_code == 402
    assert shop.pay(link, "tester-5", card=UNKNOWN_CARDS[5]).status_code == 429
    assert shop.pay(link, "tester-6", card=SUCCESS_CARD).status_code == 429
    assert count_charges(shop.engine) == 0


class Ticking:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0  # the start of a minute and of an hour

    def __call__(self) -> float:
        return self.now


def test_counts_expire_after_the_window_and_the_number_is_never_kept() -> None:
    clock = Ticking()
    limits = Limits(declines_per_card=2, window_seconds=60)
    guard = PayGuard(MemoryWindowCounters(clock), b"key", limits)
    card = guard.card("4000 0000 0000 0002")
    assert "4000000000000002" not in card
    assert card == guard.card("4000000000000002")
    assert card == PayGuard(MemoryWindowCounters(), b"key").card("4000000000000002")
    assert card != PayGuard(MemoryWindowCounters(), b"other key").card("4000000000000002")
    for _ in range(2):
        assert guard.wait_seconds("1.2.3.4", "page", card) == 0
        guard.record("1.2.3.4", "page", card, declined=True)
    assert guard.wait_seconds("5.6.7.8", "other", card) == 60  # the card, from anywhere
    clock.now += 30
    assert guard.wait_seconds("5.6.7.8", "other", card) == 30
    clock.now += 30
    assert guard.wait_seconds("5.6.7.8", "other", card) == 0


def test_paid_attempts_count_only_against_the_address_limit() -> None:
    limits = Limits(attempts_per_address=3, declines_per_card=1)
    guard = PayGuard(MemoryWindowCounters(Ticking()), b"key", limits)
    card = guard.card(SUCCESS_CARD)
    for _ in range(3):
        guard.record("1.2.3.4", "page", card, declined=False)
    assert guard.wait_seconds("1.2.3.4", "page", card) > 0
    assert guard.wait_seconds("9.9.9.9", "page", card) == 0
