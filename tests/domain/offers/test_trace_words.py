"""A logged candidate's figures in words: the co-purchases behind it, or its upgrade path."""

from __future__ import annotations

from datetime import UTC, datetime

from tactful.domain.offers.trace_log import LoggedCandidate, LoggedEvidence
from tactful.domain.offers.trace_words import added, grounds

NAMES = {"MUG": "Enamel mug", "BEANS": "Coffee beans", "PRO": "Pro plan", "BASIC": "Basic plan"}


def _logged(kind: str, sku: str, **figures: object) -> LoggedCandidate:
    base = {"increase": 950, "currency": "GBP"} | figures
    return LoggedCandidate(sku, kind, "MUG", 0.3, ("kept",), **base)  # type: ignore[arg-type]


def test_a_cross_sell_says_its_share_sample_count_and_lift() -> None:
    customers = LoggedEvidence(493, 1203, 3.24, "customers", ("MUG",))
    orders = LoggedEvidence(493, 1203, 3.24, "orders", ("MUG", "PRO"))

    assert grounds(_logged("cross_sell", "BEANS", evidence=customers), NAMES) == (
        "40% of 1,203 customers who bought Enamel mug also bought Coffee beans "
        "(493 customers, lift 3.2)"
    )
    assert grounds(_logged("cross_sell", "BEANS", evidence=orders), NAMES) == (
        "40% of 1,203 orders with Enamel mug and Pro plan also included Coffee beans "
        "(493 orders, lift 3.2)"
    )


def test_a_share_rounds_down_and_a_tiny_one_is_not_zero() -> None:
    tiny = LoggedEvidence(3, 1000, 0.0, "orders", ("MUG",))
    words = grounds(_logged("cross_sell", "NEW", evidence=tiny), NAMES)

    assert words == "Under 1% of 1,000 orders with Enamel mug also included NEW (3 orders)"
    almost = LoggedEvidence(999, 1000, 1.5, "orders", ("MUG",))
    assert str(grounds(_logged("cross_sell", "X", evidence=almost), NAMES)).startswith("99% ")


def test_upgrades_repurchases_and_old_traces() -> None:
    assert grounds(_logged("upsell", "PRO"), NAMES) == "An upgrade from Enamel mug"
    switch = _logged("upsell", "PRO", term_switch=True)
    assert grounds(switch, NAMES) == "The same plan as Enamel mug, on a longer billing term"
    again = _logged("repurchase", "BEANS", repeat=(4, datetime(2026, 3, 12, tzinfo=UTC)))
    assert grounds(again, NAMES) == "Ordered 4 times before, the last on 12 March 2026"
    before = LoggedCandidate("BEANS", "cross_sell", "MUG", 0.3, ("kept",))
    assert grounds(before, NAMES) is None
    assert added(before) is None


def test_what_a_candidate_adds_is_signed() -> None:
    assert added(_logged("upsell", "PRO", increase=125050)) == "+£1,250.50"
    assert added(_logged("downsell", "BASIC", increase=-300)) == "−£3.00"
