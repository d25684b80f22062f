"""The stored form of a decision's trace gives back every candidate as it was judged."""

from __future__ import annotations

from datetime import UTC

from hypothesis import given
from hypothesis import strategies as st

from tactful.domain.catalog import Sku
from tactful.domain.money import Money
from tactful.domain.offers import Candidate, Evidence, OfferKind, ReasonCode, TraceEntry
from tactful.domain.offers.evidence import RepeatPurchase
from tactful.domain.offers.reasons import REASON_TEXT, reason_text
from tactful.domain.offers.trace_log import (
    LoggedCandidate,
    LoggedEvidence,
    read_trace,
    trace_text,
)

evidence = st.builds(
    lambda antecedent, count, extra, lift, unit: Evidence(
        tuple(Sku(a) for a in antecedent), Sku("Y"), count, count + extra, 0.1, 0.5, lift, 0.2, unit
    ),
    st.lists(st.text(min_size=1), min_size=1, max_size=3),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.floats(0, 100, allow_nan=False),
    st.sampled_from(["orders", "customers"]),
)
repeats = st.builds(RepeatPurchase, st.integers(1, 99), st.datetimes(timezones=st.just(UTC)))


def _entry(
    kind: OfferKind,
    sku: str,
    for_sku: str | None,
    relevance: float,
    reasons: list[ReasonCode],
    increase: int,
    figures: Evidence | RepeatPurchase | bool | None,
) -> TraceEntry:
    """A candidate with the figures its kind has: a cross-sell's evidence (proposed for the
    rule's first antecedent), a repurchase's orders, an upsell's change of billing term."""
    found = figures if isinstance(figures, Evidence) else None
    return TraceEntry(
        Candidate(
            kind,
            Sku(sku),
            found.antecedent[0] if found is not None else for_sku and Sku(for_sku),
            sku,
            Money(100, "GBP"),
            Money(increase, "EUR"),
            relevance,
            evidence=found,
            term_switch=figures is True,
            repeat=figures if isinstance(figures, RepeatPurchase) else None,
        ),
        tuple(reasons),
    )


entries = st.builds(
    _entry,
    st.sampled_from(OfferKind),
    st.text(min_size=1),
    st.none() | st.text(min_size=1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.sampled_from(ReasonCode), min_size=1, max_size=3),
    st.integers(-(10**9), 10**9),
    st.none() | evidence | repeats | st.booleans(),
)


@given(st.lists(entries, max_size=8))
def test_the_stored_trace_reads_back_entry_for_entry(trace: list[TraceEntry]) -> None:
    read = read_trace(trace_text(trace))

    assert read is not None
    assert [(c.sku, c.kind, c.for_sku, c.relevance, c.reasons, c.kept) for c in read] == [
        (e.sku, e.kind, e.for_sku, e.relevance, e.reasons, e.kept) for e in trace
    ]
    assert [(c.increase, c.currency, c.term_switch) for c in read] == [
        (e.price_increase, "EUR", e.candidate.term_switch) for e in trace
    ]
    for logged, entry in zip(read, trace, strict=True):
        found, repeat = entry.candidate.evidence, entry.repeat
        if found is None:
            assert logged.evidence is None
        else:
            assert logged.evidence == LoggedEvidence(
                found.count, found.antecedent_count, found.lift, found.unit, found.antecedent
            )
        assert logged.repeat == (None if repeat is None else (repeat.orders, repeat.last_at))


def test_a_trace_logged_before_the_figures_reads_with_none() -> None:
    read = read_trace('[["MUG","cross_sell","KETTLE",0.5,["kept"]]]')

    assert read == (LoggedCandidate("MUG", "cross_sell", "KETTLE", 0.5, ("kept",)),)
    assert read[0].kept
    assert not read[0].has_figures
    assert (read[0].increase, read[0].evidence, read[0].repeat) == (None, None, None)


def test_no_stored_trace_is_none_and_an_empty_one_is_empty() -> None:
    assert read_trace(None) is None
    assert read_trace(trace_text([])) == ()


def test_every_reason_has_words_and_an_unknown_code_still_reads() -> None:
    assert set(REASON_TEXT) == set(ReasonCode)
    assert reason_text("price_above_ceiling") == REASON_TEXT[ReasonCode.PRICE_ABOVE_CEILING]
    assert reason_text("some_future_rule") == "some future rule"
