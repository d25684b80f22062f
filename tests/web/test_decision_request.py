"""The one request model: what the storefront's JSON says, read once, as the service takes it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tactful.domain.catalog import Sku
from tactful.domain.offers import CartLine, Moment, Task
from tactful.services.decision_request import ContextIn, DecisionRequest
from tactful.web.api.decisions import read_request

# Mostly valid values, and values near every edge the model checks: lengths, control
# characters, types, ranges.
valid_ids = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF), min_size=1, max_size=8)
edge_texts = st.one_of(
    st.sampled_from(["", "x" * 128, "x" * 129, "tab\there", "nbsp\u00a0", "\u2028"]),
    st.text(max_size=6),
)
texts = st.one_of(valid_ids, valid_ids, valid_ids, edge_texts)
anything = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False), texts
)
quantities = st.one_of(
    st.integers(1, 5),
    st.integers(1, 5),
    st.integers(-1, 3),
    st.sampled_from([1_000_000, 1_000_001, 2**63]),
    st.booleans(),
    st.floats(),
)
valid_moments = st.sampled_from(["cart", "checkout", "payment", "browsing", "in_app"])
moments = st.one_of(valid_moments, valid_moments, st.sampled_from(["CART", "nope"]), anything)
line = st.fixed_dictionaries({"sku": texts}, optional={"quantity": quantities})
lines = st.one_of(
    line,
    line,
    line,
    st.fixed_dictionaries({"sku": texts, "note": anything}),
    anything,
)
contexts = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "task": st.one_of(st.sampled_from(["in_progress", "completed", "done"]), st.none()),
            "channel": st.one_of(texts, st.none(), st.just("c" * 33)),
            "viewing": texts,
        },
    ),
    st.fixed_dictionaries({"expires_at": st.just("2030-01-01T00:00:00Z")}),
    anything,
)
plain = st.fixed_dictionaries(
    {"customer_id": texts, "moment": moments},
    optional={"cart": st.one_of(st.lists(lines, max_size=4), anything), "context": contexts},
)
printable = st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=8)
valid = st.fixed_dictionaries(
    {"customer_id": printable, "moment": valid_moments},
    optional={
        "cart": st.lists(
            st.fixed_dictionaries({"sku": printable}, optional={"quantity": st.integers(1, 9)}),
            max_size=4,
        ),
        "context": st.fixed_dictionaries(
            {},
            optional={"task": st.sampled_from(["in_progress", "completed"]), "viewing": printable},
        ),
    },
)
bodies = st.one_of(
    valid,
    valid,
    plain,
    plain,
    st.fixed_dictionaries({"customer_id": texts, "moment": moments, "extra": anything}),
    anything,
)


def expected_cart(body: dict[str, Any]) -> list[CartLine]:
    """The cart the JSON lists, as the domain's cart lines (quantity 1 when left out)."""
    return [CartLine(Sku(line["sku"]), line.get("quantity", 1)) for line in body.get("cart", [])]


@settings(max_examples=600)
@given(bodies)
def test_a_body_is_read_as_it_says_or_refused_naming_a_field(body: Any) -> None:
    read = read_request(json.dumps(body).encode())
    if isinstance(read, list):
        assert read, "a refusal says why"
        assert all(error["loc"][0] == "body" and error["msg"] for error in read)
        return
    assert read.customer_id == body["customer_id"]
    assert read.moment == Moment(body["moment"])
    assert read.cart == expected_cart(body)
    assert all(type(line) is CartLine for line in read.cart)
    context = body.get("context", {})
    assert read.task == (None if context.get("task") is None else Task(context["task"]))
    assert read.channel == context.get("channel")
    assert read.viewing == context.get("viewing")


@settings(max_examples=200)
@given(valid)
def test_every_plain_storefront_body_is_accepted(body: dict[str, Any]) -> None:
    assert isinstance(read_request(json.dumps(body).encode()), DecisionRequest)


def test_a_request_built_in_python_equals_the_one_read_from_json() -> None:
    raw = json.dumps(
        {
            "customer_id": "c-1",
            "moment": "in_app",
            "cart": [{"sku": "A", "quantity": 2}, {"sku": "B"}],
            "context": {"task": "completed", "channel": "web", "viewing": "A"},
        }
    ).encode()
    built = DecisionRequest(
        customer_id="c-1",
        moment=Moment.IN_APP,
        cart=[CartLine(Sku("A"), 2), CartLine(Sku("B"))],
        context=ContextIn(task=Task.COMPLETED, channel="web", viewing="A"),
    )
    assert read_request(raw) == built
    assert [(line.sku, line.quantity) for line in built.cart] == [("A", 2), ("B", 1)]


def test_a_deadline_is_read_in_utc() -> None:
    context = {"expires_at": "2030-01-01T05:00:00+05:00"}
    raw = json.dumps({"customer_id": "c", "moment": "cart", "context": context}).encode()
    read = read_request(raw)
    assert isinstance(read, DecisionRequest)
    assert read.expires_at == datetime(2030, 1, 1, tzinfo=UTC)
    assert read.expires_at is not None
    assert read.expires_at.tzinfo is UTC


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (
            b'{"customer_id": "c", "moment": "cart", "cart": [{"sku": "A", "quantity": true}]}',
            "cart.0.quantity",
        ),
        (
            b'{"customer_id": "c", "moment": "cart", "cart": [{"sku": "A", "quantity": 0}]}',
            "cart.0.quantity",
        ),
        (
            b'{"customer_id": "c", "moment": "cart", "cart": [{"sku": "A", "quantity": 1.0}]}',
            "cart.0.quantity",
        ),
        (b'{"customer_id": "c", "moment": "cart", "cart": [1]}', "cart.0"),
        (b'{"customer_id": "c\\u0007", "moment": "cart"}', "customer_id"),
        (b'{"customer_id": "c", "moment": "cart", "context": null}', "context"),
        (b'{"customer_id": "c", "moment": ["cart"]}', "moment"),
        (
            b'{"customer_id": "c", "moment": "cart", "context": {"task": ["completed"]}}',
            "context.task",
        ),
        (b'{"customer_id": "c", "moment": "cart"} trailing', ""),
        (b"\xff", ""),
        (b"[]", ""),
    ],
)
def test_a_refusal_names_the_field(raw: bytes, field: str) -> None:
    read = read_request(raw)
    assert isinstance(read, list)
    assert ".".join(str(part) for part in read[0]["loc"][1:]) == field


def test_unknown_fields_are_ignored() -> None:
    read = read_request(b'{"customer_id": "c", "moment": "cart", "unknown": 1}')
    assert isinstance(read, DecisionRequest)
    assert read.cart == []


def test_a_request_without_context_has_the_empty_context() -> None:
    """The context shared by requests that send none equals one built for each (and is frozen)."""
    first = read_request(b'{"customer_id": "c1", "moment": "cart"}')
    second = DecisionRequest(customer_id="c2", moment=Moment.CART)
    assert isinstance(first, DecisionRequest)
    assert first.context == second.context == ContextIn()
    assert (first.task, first.channel, first.viewing, first.expires_at) == (None,) * 4
    assert "context" not in first.model_fields_set
    with pytest.raises(ValueError, match="frozen"):
        first.context.channel = "web"  # type: ignore[misc]
