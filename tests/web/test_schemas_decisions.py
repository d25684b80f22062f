"""The decision's JSON: trace entries written once each, saying what trace_body says."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
from hypothesis import HealthCheck, given, settings

from tactful.domain.catalog import Sku
from tactful.domain.customers import CustomerId
from tactful.domain.offers import Decision, Moment, OfferKind, TraceEntry, decide
from tactful.domain.offers.reasons import ReasonCode
from tactful.web.api.schemas_decisions import Fragments, decision_body, decision_json, trace_body
from tests.domain.offers.worlds import World, worlds


def entry(sku: str, lift: float = 2.5, relevance: float = 0.125) -> TraceEntry:
    return TraceEntry(
        sku=Sku(sku),
        kind=OfferKind.CROSS_SELL,
        for_sku=Sku("TENT"),
        kept=False,
        reasons=(ReasonCode.PRICE_ABOVE_CEILING, ReasonCode.COOLDOWN),
        relevance=relevance,
        count=42,
        confidence=0.3,
        lift=lift,
        price_increase=1999,
    )


def decision(*trace: TraceEntry) -> Decision:
    return Decision(
        decision_id="dec_1",
        customer_id=CustomerId("c1"),
        moment=Moment.CART,
        at=datetime(2026, 1, 1, tzinfo=UTC),
        held_out=False,
        offers=(),
        trace=trace,
        warnings=("unknown sku 'X' in cart was ignored",),
    )


def test_native_trace_json_equals_the_documented_shape() -> None:
    body = orjson.loads(decision_json(decision(entry("MAT"), entry("PEG"))))
    assert body["trace"] == [trace_body(entry("MAT")), trace_body(entry("PEG"))]
    assert body["trace"][0]["reasons"] == ["price_above_ceiling", "cooldown"]
    assert body["warnings"] == ["unknown sku 'X' in cart was ignored"]


def test_trace_figures_are_rounded_like_the_evidence_of_offers() -> None:
    body = orjson.loads(decision_json(decision(entry("MAT", relevance=0.3246587812900543))))
    assert body["trace"][0]["relevance"] == 0.324659
    assert body["trace"] == [trace_body(entry("MAT", relevance=0.3246587812900543))]


def test_a_non_finite_figure_is_reported_as_zero_not_null() -> None:
    body = orjson.loads(decision_json(decision(entry("MAT", lift=float("inf")))))
    assert body["trace"][0]["lift"] == 0.0


def test_fragments_are_written_once_per_entry_and_bounded() -> None:
    fragments = Fragments(trace_body, size=2)
    shared = entry("MAT")
    first = fragments.many((shared,))[0]
    assert fragments.many((shared,))[0] is first, "the same entry object reuses its JSON"
    assert fragments.many((entry("MAT"),))[0] is not first, "an equal but new entry is written anew"
    fragments.many((entry("A"), entry("B"), entry("C")))
    assert len(fragments._held) <= 2


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_the_answer_says_what_the_documented_shape_says_for_any_decision(w: World) -> None:
    made = decide(w.customer, w.moment, w.cart, w.context)
    first = orjson.loads(decision_json(made))
    assert first == orjson.loads(orjson.dumps(decision_body(made)))
    assert orjson.loads(decision_json(made)) == first, "spliced-in parts say the same again"
