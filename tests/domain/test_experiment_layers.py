"""Layers: experiments of one layer sharing a moment never apply to the same decision, and a
customer's arms are sticky; a layer with no room is refused naming `layer`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tactful.domain.experiment_rules import arms_for, check_moments, place
from tactful.domain.experiments import (
    Experiment,
    ExperimentError,
    LayerConflictError,
    Variant,
    check_variants,
)

STARTED = datetime(2026, 3, 1, tzinfo=UTC)
LAYERS = ("default", "checkout", "email")
MOMENTS = ("cart", "checkout", "post_purchase", "email")
VARIANTS = (Variant("control", 50), Variant("b", 50, max_offers=1))


def experiment(n: int, layer: str, moments: tuple[str, ...], traffic: int) -> Experiment:
    return Experiment(
        f"exp_{n}",
        f"test {n}",
        VARIANTS,
        "running",
        STARTED,
        layer=layer,
        moments=moments,
        traffic=traffic,
    )


requests = st.lists(
    st.tuples(
        st.sampled_from(LAYERS),
        st.lists(st.sampled_from(MOMENTS), max_size=2, unique=True).map(lambda m: tuple(sorted(m))),
        st.sampled_from((10, 25, 40, 50, 100)),
    ),
    min_size=1,
    max_size=8,
)


def placed(wanted: list[tuple[str, tuple[str, ...], int]]) -> list[Experiment]:
    """Each requested experiment placed after the ones before it, or refused (409)."""
    running: list[Experiment] = []
    for n, (layer, moments, traffic) in enumerate(wanted):
        draft = experiment(n, layer, moments, traffic)
        try:
            start = place(draft, running)
        except LayerConflictError:
            continue
        running.append(Experiment(**{**_fields(draft), "traffic_start": start}))
    return running


def _fields(found: Experiment) -> dict[str, object]:
    return {name: getattr(found, name) for name in Experiment.__dataclass_fields__}


@settings(max_examples=60, deadline=None)
@given(
    wanted=requests, customers=st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=40)
)
def test_one_layer_never_applies_twice_to_a_decision(
    wanted: list[tuple[str, tuple[str, ...], int]], customers: list[str]
) -> None:
    running = placed(wanted)
    for customer in customers:
        for moment in MOMENTS:
            arms = arms_for(running, customer, moment)
            layers = [experiment.layer for experiment, _variant in arms]
            assert len(layers) == len(set(layers)), (customer, moment, layers)
            again = arms_for(list(reversed(running)), customer, moment)
            assert sorted((e.experiment_id, v.name) for e, v in again) == sorted(
                (e.experiment_id, v.name) for e, v in arms
            )  # sticky, whatever else runs


@settings(max_examples=30, deadline=None)
@given(traffic=st.integers(1, 100), customers=st.lists(st.text(max_size=10), max_size=200))
def test_an_experiment_takes_its_share_of_the_layer_stickily(
    traffic: int, customers: list[str]
) -> None:
    found = experiment(0, "default", (), traffic)
    inside = [c for c in customers if found.includes(c)]
    assert inside == [c for c in customers if found.includes(c)]
    if traffic == 100:
        assert inside == customers


def test_two_halves_split_a_layer_without_overlap() -> None:
    first = experiment(0, "checkout", ("checkout",), 50)
    second = experiment(1, "checkout", ("checkout",), 50)
    second = Experiment(**{**_fields(second), "traffic_start": place(second, [first])})
    assert second.traffic_start == 50
    customers = [f"cus_{n}" for n in range(4000)]
    in_first = {c for c in customers if first.includes(c)}
    in_second = {c for c in customers if second.includes(c)}
    assert not in_first & in_second
    assert len(in_first) / len(customers) == pytest.approx(0.5, abs=0.04)
    assert in_first | in_second == set(customers)


def test_a_full_layer_is_refused_naming_the_layer() -> None:
    first = experiment(0, "default", (), 100)
    with pytest.raises(LayerConflictError) as raised:
        place(experiment(1, "default", ("checkout",), 10), [first])
    assert raised.value.field == "layer"
    assert "exp_0" in str(raised.value)
    assert place(experiment(2, "other", (), 100), [first]) == 0  # another layer overlaps freely
    email = experiment(3, "default", ("email",), 100)
    assert place(experiment(4, "default", ("checkout",), 100), [email]) == 0  # no shared moment


def test_an_experiment_applies_only_at_its_moments() -> None:
    found = experiment(0, "default", ("checkout",), 100)
    assert arms_for([found], "cus_1", "checkout")
    assert not arms_for([found], "cus_1", "cart")


@pytest.mark.parametrize(
    ("variant", "field"),
    [
        (Variant("b", 50, headline="shouting"), "variants[1].headline"),
        (Variant("b", 50, discount_percent=80), "variants[1].discount_percent"),
        (Variant("b", 50, format="poster"), "variants[1].format"),
        (Variant("b", 50, wait_multiplier=0.0), "variants[1].wait_multiplier"),
    ],
)
def test_bad_variant_settings_name_the_field(variant: Variant, field: str) -> None:
    with pytest.raises(ExperimentError) as raised:
        check_variants([Variant("control", 50), variant])
    assert raised.value.field == field


def test_unknown_moments_name_the_field() -> None:
    with pytest.raises(ExperimentError) as raised:
        check_moments(["checkout", "teatime"])
    assert raised.value.field == "moments[1]"
