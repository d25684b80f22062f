"""Segments: what a report may be split by, RFM buckets, customers' traits."""

from __future__ import annotations

import numpy as np
import pytest

from tactful.domain.measurement.segments import (
    CustomerTraits,
    Segment,
    parse_segment,
    rfm_buckets,
    traits_of,
)


def test_segments_parse_short_names_dimensions_and_values() -> None:
    assert parse_segment("new") == Segment("customer", "new")
    assert parse_segment("country") == Segment("country", None)
    assert parse_segment("country:United Kingdom") == Segment("country", "GB")
    assert parse_segment("country:gb") == parse_segment("country:GB") == Segment("country", "GB")
    assert parse_segment("country:Channel Islands") == Segment("country", "Channel Islands")
    assert parse_segment("variant:exp_1/B") == Segment("variant", "exp_1/B")
    assert str(parse_segment("rfm:champions")) == "rfm:champions"


@pytest.mark.parametrize(
    "text", ["vip", "planet:mars", "rfm:vip", "customer:old", "variant", "moment:", ""]
)
def test_an_unknown_segment_names_the_field(text: str) -> None:
    with pytest.raises(ValueError, match=r"^segment"):
        parse_segment(text)


def test_rfm_buckets_follow_recency_frequency_and_spend() -> None:
    spend = np.array([0.0, 500.0, 400.0, 9000.0, 100.0, 50.0])
    orders = np.array([0.0, 4.0, 3.0, 1.0, 1.0, 2.0])
    days = np.array([np.inf, 5.0, 60.0, 70.0, 10.0, 80.0])
    assert rfm_buckets(spend, orders, days).tolist() == [
        "none",
        "champions",
        "loyal",
        "big_spenders",
        "recent",
        "lapsing",
    ]
    assert rfm_buckets(np.zeros(0), np.zeros(0), np.zeros(0)).tolist() == []


def test_traits_take_the_kind_bought_most_ties_by_name() -> None:
    found = traits_of(
        {"ann": "France"},
        [("ann", "physical", 3), ("ann", "digital", 1), ("bob", "service", 2), ("bob", "event", 2)],
    )
    assert found == {
        "ann": CustomerTraits("France", "physical"),
        "bob": CustomerTraits(None, "event"),
    }
