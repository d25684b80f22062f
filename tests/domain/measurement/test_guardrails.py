"""Guardrails with planted effects: a variant that is surely worse beyond a threshold is
flagged whatever else it does; noise, small harms and improvements are not."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tactful.domain.measurement.guardrails import (
    GUARDRAILS,
    ArmGuardrailData,
    GuardrailThresholds,
    check_guardrails,
    harmed,
)


def arm(
    customers: int,
    *,
    decline_share: float = 0.1,
    refund_share: float = 0.05,
    unsubscribe_share: float = 0.01,
    ratings: list[float] | None = None,
) -> ArmGuardrailData:
    """Each customer shown 4 offers and spending 10,000; the shares planted exactly."""
    index = np.arange(customers)
    impressions = np.full(customers, 4.0)
    declines = np.where(index < round(decline_share * customers), 4.0, 0.0)
    gross = np.full(customers, 10_000.0)
    refunded = np.where(index < round(refund_share * customers), 10_000.0, 0.0)
    unsubscribed = index < round(unsubscribe_share * customers)
    return ArmGuardrailData.of(
        impressions=impressions,
        declines=declines,
        gross=gross,
        refunded=refunded,
        unsubscribed=unsubscribed,
        ratings=ratings if ratings is not None else [5, 4, 4, 3, 5] * (customers // 10),
    )


def by_name(variant: ArmGuardrailData, control: ArmGuardrailData, **limits: float) -> dict:
    found = check_guardrails(variant, control, GuardrailThresholds(**limits))
    assert [r.name for r in found] == list(GUARDRAILS)
    return {r.name: r for r in found}


def test_a_variant_declined_far_more_often_harms_the_decline_rate() -> None:
    found = by_name(arm(2000, decline_share=0.3), arm(2000, decline_share=0.1))
    decline = found["decline_rate"]
    assert decline.harms
    assert decline.status == "harms"
    assert decline.lift is not None
    assert abs(decline.lift.estimate - 0.2) < 1e-9
    assert decline.lift.ci_low > 0.02
    assert harmed(list(found.values())) == ["decline rate"]
    assert all(not r.harms for name, r in found.items() if name != "decline_rate")


def test_each_guardrail_flags_its_own_harm() -> None:
    control = arm(2000)
    worse = {
        "refund_rate": arm(2000, refund_share=0.2),
        "unsubscribe_rate": arm(2000, unsubscribe_share=0.08),
        "satisfaction": arm(2000, ratings=[2, 3, 2, 3, 1] * 200),
    }
    for name, variant in worse.items():
        found = by_name(variant, control)
        assert [n for n, r in found.items() if r.harms] == [name]


def test_a_lower_satisfaction_harms_while_a_higher_one_does_not() -> None:
    control = arm(1000, ratings=[4.0] * 500 + [3.0] * 500)
    assert by_name(arm(1000, ratings=[3.0] * 1000), control)["satisfaction"].harms
    assert not by_name(arm(1000, ratings=[5.0] * 1000), control)["satisfaction"].harms


def test_a_sure_harm_within_the_threshold_is_not_flagged() -> None:
    variant, control = arm(20_000, decline_share=0.13), arm(20_000, decline_share=0.1)
    assert by_name(variant, control, decline_rate=0.05)["decline_rate"].harms is False
    assert by_name(variant, control, decline_rate=0.02)["decline_rate"].harms is True


def test_a_large_but_uncertain_harm_is_not_flagged() -> None:
    found = by_name(arm(10, decline_share=0.3), arm(10, decline_share=0.1))
    decline = found["decline_rate"]
    assert decline.lift is not None
    assert decline.lift.estimate > 0.1
    assert decline.lift.ci_low < 0
    assert not decline.harms


def test_fewer_declines_are_an_improvement_not_a_harm() -> None:
    found = by_name(arm(2000, decline_share=0.0), arm(2000, decline_share=0.5))
    assert found["decline_rate"].status == "ok"


def test_too_few_customers_say_not_enough_data() -> None:
    tiny = arm(1, ratings=[])
    found = by_name(tiny, arm(500))
    assert {r.status for r in found.values()} == {"not_enough_data"}
    assert not harmed(list(found.values()))


def test_customers_without_offers_do_not_dilute_the_decline_rate() -> None:
    shown = arm(1000, decline_share=0.5)
    with_idle = ArmGuardrailData.of(
        impressions=np.concatenate([shown.impressions, np.zeros(1000)]),
        declines=np.concatenate([shown.declines, np.zeros(1000)]),
        gross=np.concatenate([shown.gross, np.zeros(1000)]),
        refunded=np.concatenate([shown.refunded, np.zeros(1000)]),
        unsubscribed=np.concatenate([shown.unsubscribed, np.zeros(1000)]),
        ratings=shown.ratings,
    )
    found = by_name(with_idle, arm(1000, decline_share=0.1))["decline_rate"]
    assert found.lift is not None
    assert abs(found.lift.treated - 0.5) < 1e-9


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    customers=st.integers(2, 300),
)
def test_an_arm_never_harms_a_guardrail_against_itself(seed: int, customers: int) -> None:
    rng = np.random.default_rng(seed)
    shown = rng.integers(0, 5, customers).astype(float)
    gross = rng.integers(0, 20_000, customers).astype(float)
    same = ArmGuardrailData.of(
        impressions=shown,
        declines=np.minimum(shown, rng.integers(0, 3, customers)),
        gross=gross,
        refunded=np.where(rng.random(customers) < 0.1, gross, 0.0),
        unsubscribed=rng.random(customers) < 0.05,
        ratings=rng.integers(1, 6, customers // 2),
    )
    assert harmed(check_guardrails(same, same, GuardrailThresholds(0, 0, 0, 0))) == []
