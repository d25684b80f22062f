"""Reason codes: why each candidate was kept or dropped, for merchants and tests."""

from __future__ import annotations

from enum import StrEnum


class ReasonCode(StrEnum):
    """One code per guardrail outcome; `kept` when every guardrail passed."""

    KEPT = "kept"
    HELD_OUT = "held_out"
    PAYMENT_IN_PROGRESS = "payment_in_progress"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    NO_EMAIL_CONSENT = "no_email_consent"
    NOT_COMMITTED = "not_committed"
    BELOW_RELEVANCE_FLOOR = "below_relevance_floor"
    PRICE_ABOVE_CEILING = "price_above_ceiling"
    TOO_BIG_FOR_MOMENT = "too_big_for_moment"
    TIMING_FOR_KIND = "timing_for_kind"
    TOO_EARLY_FOR_ANNUAL = "too_early_for_annual"
    ALREADY_OWNED = "already_owned"
    IN_CART = "in_cart"
    COOLDOWN = "cooldown"
    BUDGET_EXHAUSTED = "budget_exhausted"
    UPGRADE_QUIET_PERIOD = "upgrade_quiet_period"
    OVER_OFFER_LIMIT = "over_offer_limit"
    DUPLICATE = "duplicate"
    INACTIVE = "inactive"
    OUT_OF_STOCK = "out_of_stock"
    CURRENCY_MISMATCH = "currency_mismatch"
