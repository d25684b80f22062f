"""The stored form of a decision's trace gives back every candidate as it was judged."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tactful.domain.catalog import Sku
from tactful.domain.money import Money
from tactful.domain.offers import Candidate, OfferKind, ReasonCode, TraceEntry
from tactful.domain.offers.reasons import REASON_TEXT, reason_text
from tactful.domain.offers.trace_log import read_trace, trace_text

entries = st.builds(
    lambda kind, sku, for_sku, relevance, reasons: TraceEntry(
        Candidate(
            kind,
            Sku(sku),
            for_sku and Sku(for_sku),
            sku,
            Money(100, "GBP"),
            Money(100, "GBP"),
            relevance,
        ),
        tuple(reasons),
    ),
    st.sampled_from(OfferKind),
    st.text(min_size=1),
    st.none() | st.text(min_size=1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.sampled_from(ReasonCode), min_size=1, max_size=3),
)


@given(st.lists(entries, max_size=8))
def test_the_stored_trace_reads_back_entry_for_entry(trace: list[TraceEntry]) -> None:
    read = read_trace(trace_text(trace))

    assert read is not None
    assert [(c.sku, c.kind, c.for_sku, c.relevance, c.reasons, c.kept) for c in read] == [
        (e.sku, e.kind, e.for_sku, e.relevance, e.reasons, e.kept) for e in trace
    ]


def test_no_stored_trace_is_none_and_an_empty_one_is_empty() -> None:
    assert read_trace(None) is None
    assert read_trace(trace_text([])) == ()


def test_every_reason_has_words_and_an_unknown_code_still_reads() -> None:
    assert set(REASON_TEXT) == set(ReasonCode)
    assert reason_text("price_above_ceiling") == REASON_TEXT[ReasonCode.PRICE_ABOVE_CEILING]
    assert reason_text("some_future_rule") == "some future rule"
