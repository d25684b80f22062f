"""What storing a customer's email preference means besides the preference itself (pure)."""

from __future__ import annotations

from datetime import datetime

from tactful.domain.customers import Consent, ConsentPurpose, Customer

WITHDRAWING = frozenset({"none", "orders_only"})
"""Preference modes that withdraw marketing consent."""


def preference_changes(old_mode: str | None, mode: str) -> bool:
    """Whether storing `mode` changes the choice (a first choice counts), so the webhook is due."""
    return old_mode != mode


def preference_consent(mode: str, at: datetime, customer: Customer | None) -> Consent | None:
    """The marketing consent a preference records, or None when consent stays as it is.

    "none" and "orders_only" withdraw it; "all" gives it back only where it was withdrawn
    ("paused" and a customer who never withdrew leave it alone).
    """
    granted = mode == "all"
    withdrawn = customer is not None and not customer.allows(ConsentPurpose.MARKETING_EMAIL)
    if mode in WITHDRAWING or (granted and withdrawn):
        return Consent(ConsentPurpose.MARKETING_EMAIL, granted, at, "email_preferences")
    return None
