"""Deterministic assignment: same unit, same group; shares honoured; salts independent."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tactful.domain.experiments import assign, bucket, variant

UNITS = [f"customer-{i}" for i in range(20_000)]


@given(st.text(max_size=30), st.text(max_size=10), st.floats(0, 1))
def test_assignment_is_deterministic_and_in_range(unit: str, salt: str, share: float) -> None:
    assert 0.0 <= bucket(unit, salt) < 1.0
    assert assign(unit, salt, share) == assign(unit, salt, share)


def test_share_of_units_held_out_is_close_to_the_setting() -> None:
    held = sum(assign(u, "holdout", 0.05) for u in UNITS)
    assert 0.045 * len(UNITS) < held < 0.055 * len(UNITS)


def test_nobody_and_everybody() -> None:
    assert not any(assign(u, "s", 0.0) for u in UNITS[:500])
    assert all(assign(u, "s", 1.0) for u in UNITS[:500])


def test_a_new_salt_gives_an_independent_split() -> None:
    first = {u for u in UNITS if assign(u, "a", 0.5)}
    second = {u for u in UNITS if assign(u, "b", 0.5)}
    overlap = len(first & second) / len(UNITS)
    assert 0.23 < overlap < 0.27


def test_variants_follow_their_weights() -> None:
    weights = {"control": 1.0, "treatment": 3.0}
    chosen = [variant(u, "exp", weights) for u in UNITS]
    assert 0.72 < chosen.count("treatment") / len(UNITS) < 0.78
    assert variant("x", "exp", weights) == variant("x", "exp", weights)


@pytest.mark.parametrize("weights", [{}, {"a": -1.0}, {"a": 0.0}])
def test_bad_weights_are_refused(weights: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="weights"):
        variant("x", "s", weights)


def test_share_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match="share"):
        assign("x", "s", 1.5)


@given(st.text(max_size=30), st.text(max_size=10))
def test_bucket_is_the_first_eight_bytes_of_the_salted_sha256(unit: str, salt: str) -> None:
    digest = hashlib.sha256(f"{salt}\x1f{unit}".encode()).digest()
    assert bucket(unit, salt) == int.from_bytes(digest[:8], "big") / 2**64


def test_bucket_values_are_pinned() -> None:
    assert bucket("c1", "holdout") == 0.672201420233941
    assert bucket("bench-7", "x") == 0.156071535572776
