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


REASON_TEXT: dict[ReasonCode, str] = {
    ReasonCode.KEPT: "kept: shown to the customer",
    ReasonCode.HELD_OUT: "customer is in the holdout, which is shown nothing",
    ReasonCode.PAYMENT_IN_PROGRESS: "payment was in progress",
    ReasonCode.CONSENT_WITHDRAWN: "customer withdrew consent to offers",
    ReasonCode.NO_EMAIL_CONSENT: "no marketing consent for email",
    ReasonCode.NOT_COMMITTED: "an upgrade of an item not yet in the cart or bought",
    ReasonCode.BELOW_RELEVANCE_FLOOR: "too few shared purchases, or too weak a link",
    ReasonCode.PRICE_ABOVE_CEILING: "too expensive next to the item it goes with",
    ReasonCode.TOO_BIG_FOR_MOMENT: "too big an ask for this moment",
    ReasonCode.TIMING_FOR_KIND: "wrong moment for this kind of product",
    ReasonCode.TOO_EARLY_FOR_ANNUAL: "too early to offer a yearly plan",
    ReasonCode.ALREADY_OWNED: "customer already owns it",
    ReasonCode.IN_CART: "already in the cart",
    ReasonCode.COOLDOWN: "customer declined an offer recently (cooldown)",
    ReasonCode.BUDGET_EXHAUSTED: "customer has seen enough offers this week",
    ReasonCode.UPGRADE_QUIET_PERIOD: "customer upgraded recently (quiet period)",
    ReasonCode.OVER_OFFER_LIMIT: "better offers filled the limit per decision",
    ReasonCode.DUPLICATE: "the same item was already proposed",
    ReasonCode.INACTIVE: "product is not active",
    ReasonCode.OUT_OF_STOCK: "out of stock",
    ReasonCode.CURRENCY_MISMATCH: "priced in another currency than the cart",
}
"""Each reason in words a merchant understands: the one place for that wording (the admin
decision page shows it; the API returns the codes)."""


def reason_text(code: str) -> str:
    """The words for a reason code; a code this version does not know is shown as it is."""
    try:
        return REASON_TEXT[ReasonCode(code)]
    except ValueError:
        return code.replace("_", " ")
