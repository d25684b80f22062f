"""Policy files: OfferPolicy fields by name, every problem reported at once and named."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from tactful.domain.backtest.policy_file import (
    POLICY_FIELDS,
    PolicyFileError,
    Problem,
    read_policy,
)
from tactful.domain.catalog import ProductKind
from tactful.domain.offers import Moment, OfferKind, OfferPolicy

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "backtest-policy.yaml"


def problems(data: object) -> dict[str, str]:
    with pytest.raises(PolicyFileError) as caught:
        read_policy(data, default_name="p")
    return {p.field: p.message for p in caught.value.problems}


def test_the_example_file_reads() -> None:
    read = read_policy(yaml.safe_load(EXAMPLE.read_text()), default_name="example")
    assert read.name == "one-offer-a-visit"
    assert read.moment is Moment.CHECKOUT
    assert read.window == timedelta(days=7)
    assert read.policy.max_offers == 1
    assert read.policy.cooldown == timedelta(days=21)
    assert read.policy.min_lift == 1.2
    assert read.policy.timing[(ProductKind.DIGITAL, OfferKind.CROSS_SELL)] == frozenset(
        {Moment.POST_PURCHASE, Moment.EMAIL}
    )


def test_an_empty_mapping_is_the_engine_default() -> None:
    read = read_policy({}, default_name="plain")
    assert read.name == "plain"
    assert read.policy == OfferPolicy()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (14, timedelta(days=14)),
        (0.5, timedelta(hours=12)),
        ("12h", timedelta(hours=12)),
        ("2w", timedelta(weeks=2)),
    ],
)
def test_durations(raw: object, expected: timedelta) -> None:
    assert read_policy({"cooldown": raw}, default_name="p").policy.cooldown == expected


def test_every_problem_is_named_at_once() -> None:
    found = problems(
        {
            "max_ofers": 1,
            "budget": "six",
            "min_lift": True,
            "cooldown": "soon",
            "moment": "lunch",
            "window_days": 0,
            "timing": {"digital/cross_sell": ["teatime"], "vinyl/upsell": ["email"]},
        }
    )
    assert set(found) == {
        "max_ofers",
        "budget",
        "min_lift",
        "cooldown",
        "moment",
        "window_days",
        "timing.digital/cross_sell",
        "timing.vinyl/upsell",
    }
    assert "unknown field" in found["max_ofers"]
    assert "whole number" in found["budget"]
    assert "use one of" in found["moment"]


def test_engine_limits_are_reported_on_their_field() -> None:
    assert "between 0 and 2" in problems({"max_offers": 3})["max_offers"]
    assert "between 0 and 1" in problems({"holdout_share": 1.5})["holdout_share"]


def test_thompson_allocation_is_not_replayed() -> None:
    assert "live answers" in problems({"allocation": "thompson"})["allocation"]
    assert read_policy({"allocation": "ranked"}, default_name="p").policy.allocation == "ranked"
    assert "ranked or thompson" in problems({"allocation": "greedy"})["allocation"]


def test_a_list_is_not_a_policy() -> None:
    assert "(file)" in problems([1, 2])


@given(st.sampled_from(POLICY_FIELDS), st.one_of(st.text(max_size=5), st.lists(st.integers())))
def test_nonsense_values_never_crash(field: str, value: object) -> None:
    found: list[Problem] = []
    try:
        read_policy({field: value}, default_name="p")
    except PolicyFileError as exc:
        found.extend(exc.problems)
    assert all(problem.field.startswith(field) for problem in found)
