"""The decision's JSON answer says what `DecisionOut` documents, for any decision."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from tactful.domain.catalog import Sku
from tactful.domain.customers import CustomerId
from tactful.domain.money import Money
from tactful.domain.offers import Candidate, Decision, Evidence, Moment, OfferKind, TraceEntry
from tactful.domain.offers.engine import decide
from tactful.domain.offers.reasons import ReasonCode
from tactful.web.api.schemas_decisions import DecisionOut, answer_json
from tests.domain.offers.worlds import World, worlds

DOCUMENTED = TypeAdapter(DecisionOut).json_schema(mode="serialization")


def entry(sku: str, lift: float = 2.5, relevance: float = 0.125) -> TraceEntry:
    price = Money(1999, "GBP")
    evidence = Evidence(
        antecedent=(Sku("ANCHOR"),),
        consequent=Sku(sku),
        count=42,
        antecedent_count=140,
        support=0.01,
        confidence=0.3,
        lift=lift,
        score=relevance,
    )
    candidate = Candidate(
        kind=OfferKind.CROSS_SELL,
        sku=Sku(sku),
        for_sku=None,
        name=sku,
        price=price,
        increase=price,
        relevance=relevance,
        evidence=evidence,
    )
    return TraceEntry(
        candidate=candidate, reasons=(ReasonCode.PRICE_ABOVE_CEILING, ReasonCode.COOLDOWN)
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


def problems(value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    """Where `value` breaks the JSON schema (the subset pydantic writes for DecisionOut)."""
    if "$ref" in schema:
        return problems(value, DOCUMENTED["$defs"][schema["$ref"].split("/")[-1]], where)
    if "anyOf" in schema:
        fits = any(not problems(value, option, where) for option in schema["anyOf"])
        return [] if fits else [f"{where}: {value!r} fits no documented option"]
    if "enum" in schema:
        return [] if value in schema["enum"] else [f"{where}: {value!r} is not documented"]
    kind = schema.get("type")
    if kind == "object":
        if not isinstance(value, dict):
            return [f"{where}: not an object"]
        known, required = schema["properties"], set(schema.get("required", ()))
        found = [f"{where}.{key}: undocumented" for key in value if key not in known]
        found += [f"{where}.{key}: missing" for key in required - set(value)]
        for key, item in value.items():
            found += problems(item, known.get(key, {}), f"{where}.{key}")
        return found
    if kind == "array":
        if not isinstance(value, list):
            return [f"{where}: not an array"]
        return [p for n, item in enumerate(value) for p in problems(item, schema["items"], f"{n}")]
    expected = {
        "string": str,
        "integer": int,
        "number": (int, float),
        "boolean": bool,
        "null": type(None),
    }.get(kind)
    if expected is None:
        return []
    wrong = not isinstance(value, expected) or (kind != "boolean" and isinstance(value, bool))
    if not wrong and schema.get("format") == "date-time":
        datetime.fromisoformat(value)
    return [f"{where}: {value!r} is not {kind}"] if wrong else []


def test_trace_entries_are_written_with_every_documented_field() -> None:
    body = orjson.loads(answer_json(decision(entry("MAT"), entry("PEG"))))
    assert body["trace"][0] == {
        "sku": "MAT",
        "kind": "cross_sell",
        "for_sku": None,
        "kept": False,
        "reasons": ["price_above_ceiling", "cooldown"],
        "relevance": 0.125,
        "count": 42,
        "confidence": 0.3,
        "lift": 2.5,
        "price_increase": 1999,
    }
    assert [t["sku"] for t in body["trace"]] == ["MAT", "PEG"]
    assert body["warnings"] == ["unknown sku 'X' in cart was ignored"]
    assert problems(body, DOCUMENTED) == []


def test_trace_figures_are_rounded_like_the_evidence_of_offers() -> None:
    body = orjson.loads(answer_json(decision(entry("MAT", relevance=0.3246587812900543))))
    assert body["trace"][0]["relevance"] == 0.324659


def test_a_non_finite_figure_is_reported_as_zero_not_null() -> None:
    body = orjson.loads(answer_json(decision(entry("MAT", lift=float("inf")))))
    assert body["trace"][0]["lift"] == 0.0


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_figures_are_rounded_to_six_places_and_finite(value: float) -> None:
    written = orjson.loads(answer_json(decision(entry("A", relevance=value))))
    expected = round(value, 6) if math.isfinite(value) else 0.0
    assert written["trace"][0]["relevance"] == expected


def test_zeros_keep_their_sign() -> None:
    for value in (0.0, -0.0, 0.0):
        written = answer_json(decision(entry("A", relevance=value)))
        assert b'"relevance":' + orjson.dumps(value) in written


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_the_answer_says_what_the_model_documents_for_any_decision(w: World) -> None:
    made = decide(w.customer, w.moment, w.cart, w.context)
    body = orjson.loads(answer_json(made))
    assert problems(body, DOCUMENTED) == []
    assert body["decision_id"] == made.decision_id
    assert [t["sku"] for t in body["trace"]] == [t.sku for t in made.trace]
    for sent, offer in zip(body["offers"], made.offers, strict=True):
        assert sent["preselected"] is False
        assert sent["price"]["amount"] == offer.price.price.amount
        assert ("compare_at" in sent["price"]) == (offer.price.compare_at is not None)
        assert ("social_proof" in sent) == (offer.social_proof is not None)
        assert ("urgency" in sent) == (offer.urgency is not None)
        assert "for_sku" in sent
    assert orjson.loads(answer_json(made)) == body, "written again, it says the same"


def test_the_schema_check_finds_what_the_model_does_not_document() -> None:
    body = orjson.loads(answer_json(decision(entry("MAT"))))
    body["trace"][0]["stray"] = 1
    body["trace"][0]["kind"] = "giveaway"
    del body["warnings"]
    assert len(problems(body, DOCUMENTED)) == 3
