"""What storing an email preference records besides itself: the webhook and marketing consent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tactful.domain.customers import Consent, ConsentPurpose, Customer, CustomerId
from tactful.domain.sequences.preferences import preference_changes, preference_consent

AT = datetime(2026, 3, 2, tzinfo=UTC)


def customer(consents: bool | None) -> Customer:
    given = () if consents is None else (Consent(ConsentPurpose.MARKETING_EMAIL, consents, AT),)
    return Customer(CustomerId("ann"), "ann@example.com", "UTC", given)


def test_a_first_or_different_choice_is_a_change() -> None:
    assert preference_changes(None, "all")
    assert preference_changes("all", "none")
    assert not preference_changes("paused", "paused")


@pytest.mark.parametrize("mode", ["none", "orders_only"])
def test_none_and_order_updates_only_withdraw_marketing_consent(mode: str) -> None:
    consent = preference_consent(mode, AT, customer(True))
    assert consent == Consent(ConsentPurpose.MARKETING_EMAIL, False, AT, "email_preferences")


def test_everything_gives_consent_back_only_where_it_was_withdrawn() -> None:
    back = Consent(ConsentPurpose.MARKETING_EMAIL, True, AT, "email_preferences")
    assert preference_consent("all", AT, customer(False)) == back
    assert preference_consent("all", AT, customer(True)) is None
    assert preference_consent("all", AT, None) is None


def test_a_pause_leaves_consent_alone() -> None:
    assert preference_consent("paused", AT, customer(False)) is None
