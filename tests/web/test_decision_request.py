"""The quick reader of decision requests never accepts what DecisionIn would not, or differently."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tactful.services.decisions import DecisionRequest
from tactful.web.api.decision_request import fast_request
from tactful.web.api.decisions import _request, read_request
from tactful.web.api.schemas_decisions import DecisionIn


def by_model(raw: bytes) -> DecisionRequest | None:
    """What the documented model makes of the body (None when it refuses it)."""
    try:
        return _request(DecisionIn.model_validate_json(raw))
    except ValidationError:
        return None


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


@settings(max_examples=600)
@given(bodies)
def test_whatever_the_quick_reader_accepts_the_model_accepts_alike(body: Any) -> None:
    raw = json.dumps(body).encode()
    quick = fast_request(raw)
    if quick is not None:
        assert by_model(raw) == quick
    # Either way in, the endpoint reads the same request or the model's errors.
    read = read_request(raw)
    expected = by_model(raw)
    if expected is None:
        assert isinstance(read, list)
        assert read
    else:
        assert read == expected


def test_a_storefront_request_is_read_the_quick_way() -> None:
    raw = json.dumps(
        {
            "customer_id": "c-1",
            "moment": "in_app",
            "cart": [{"sku": "A", "quantity": 2}, {"sku": "B"}],
            "context": {"task": "completed", "channel": "web", "viewing": "A"},
        }
    ).encode()
    quick = fast_request(raw)
    assert quick is not None
    assert quick == by_model(raw)
    assert [(line.sku, line.quantity) for line in quick.cart] == [("A", 2), ("B", 1)]


@pytest.mark.parametrize(
    "raw",
    [
        b'{"customer_id": "c", "moment": "cart", "cart": [{"sku": "A", "quantity": true}]}',
        b'{"customer_id": "c", "moment": "cart", "cart": [{"sku": "A", "quantity": 0}]}',
        b'{"customer_id": "c", "moment": "cart", "cart": [{"sku": "A", "quantity": 1.0}]}',
        b'{"customer_id": "c\\u0007", "moment": "cart"}',
        b'{"customer_id": "c", "moment": "cart", "context": null}',
        b'{"customer_id": "c", "moment": "cart", "context": {"expires_at": "2030-01-01"}}',
        b'{"customer_id": "c", "moment": "cart", "unknown": 1}',
        b'{"customer_id": "c", "moment": ["cart"]}',
        b'{"customer_id": "c", "moment": "cart", "context": {"task": ["completed"]}}',
        b'{"customer_id": "c", "moment": "cart"} trailing',
        b"\xff",
    ],
)
def test_anything_unusual_goes_to_the_model(raw: bytes) -> None:
    assert fast_request(raw) is None
    read = read_request(raw)
    expected = by_model(raw)
    assert read == expected if expected is not None else isinstance(read, list)
