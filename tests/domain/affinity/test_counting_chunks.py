"""Counting candidates chunk by chunk finds exactly the itemsets of one pass."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tactful.domain.affinity import Baskets, MiningConfig, count_itemsets, counting

baskets_strategy = st.lists(
    st.lists(st.sampled_from("abcdefghij"), min_size=1, max_size=7, unique=True),
    min_size=1,
    max_size=50,
)


@settings(max_examples=60, deadline=None)
@given(baskets=baskets_strategy, chunk=st.integers(1, 7), max_len=st.integers(3, 5))
def test_chunked_counting_matches_one_pass(
    baskets: list[list[str]], chunk: int, max_len: int
) -> None:
    config = MiningConfig(min_support=0.05, max_len=max_len)
    data = Baskets.from_lists(baskets)
    whole = count_itemsets(data, config)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(counting, "CANDIDATE_CHUNK", chunk)
        chunked = count_itemsets(data, config)
    for got, expected in zip(chunked.levels, whole.levels, strict=True):
        np.testing.assert_array_equal(got, expected)
    for got, expected in zip(chunked.counts, whole.counts, strict=True):
        np.testing.assert_array_equal(got, expected)
