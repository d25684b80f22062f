"""The common shape of a decision request, read without pydantic, for the hot path.

Validating POST /v1/decisions with `DecisionIn` costs a few percent of the whole request
(measured in bench/http_costs.py). Nearly every request a storefront sends has the plain
shape: a customer id, a moment, a cart of SKUs and integer quantities, and at most a task
and a channel. `fast_request` accepts exactly such bodies, when every value is one
`DecisionIn` accepts too, and returns None for anything else, which then goes through
`DecisionIn` and gets its errors. So the contract stays the model's: a test checks over
generated bodies that whatever this accepts, the model accepts with the same result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from tactful.domain.catalog import Sku
from tactful.domain.offers import CartLine, Moment, Task
from tactful.services.decisions import DecisionRequest
from tactful.web.api.schemas_decisions import MAX_CART_LINES, MAX_CHANNEL, MAX_QUANTITY
from tactful.web.api.schemas_ingest import MAX_IDENTIFIER

_MOMENTS = {m.value: m for m in Moment}
_TASKS: dict[Any, Task | None] = {t.value: t for t in Task} | {None: None}
_TOP = frozenset({"customer_id", "moment", "cart", "context"})
_LINE = frozenset({"sku", "quantity"})
_CONTEXT = frozenset({"task", "channel", "viewing"})

# The plain constructors, under the names the readers here and in decisions.py use.
cart_line: Callable[..., CartLine] = CartLine
decision_request: Callable[..., DecisionRequest] = DecisionRequest


def _identifier(value: Any) -> bool:
    """A string `Identifier` accepts: 1–128 characters, none of them a control character.

    `isprintable()` is stricter than the model (it also refuses e.g. non-breaking
    spaces), which only sends such ids the model's way.
    """
    return type(value) is str and 0 < len(value) <= MAX_IDENTIFIER and value.isprintable()


def fast_request(raw: bytes) -> DecisionRequest | None:
    """The request if the body has the plain shape and valid values, else None."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if type(body) is not dict or not body.keys() <= _TOP:
        return None
    customer_id = body.get("customer_id")
    moment_value = body.get("moment")
    moment = _MOMENTS.get(moment_value) if type(moment_value) is str else None
    if moment is None or not _identifier(customer_id):
        return None
    cart = _cart(body.get("cart", ()))
    if cart is None:
        return None
    context = body.get("context")
    if context is None and "context" not in body:
        return decision_request(customer_id, moment, cart, None, None, None, None)
    if type(context) is not dict or not context.keys() <= _CONTEXT:
        return None
    task = context.get("task")
    if (task is not None and type(task) is not str) or task not in _TASKS:
        return None
    channel = context.get("channel")
    if channel is not None and not (type(channel) is str and 0 < len(channel) <= MAX_CHANNEL):
        return None
    viewing = context.get("viewing")
    if viewing is not None and not _identifier(viewing):
        return None
    return decision_request(
        customer_id,
        moment,
        cart,
        _TASKS[task],
        channel,
        None if viewing is None else Sku(viewing),
        None,
    )


def _cart(lines: Any) -> tuple[CartLine, ...] | None:
    """The cart lines, or None unless every line is {"sku": id, "quantity"?: 1..1e6}."""
    if type(lines) is tuple:  # the default: no "cart" key
        return ()
    if type(lines) is not list or len(lines) > MAX_CART_LINES:
        return None
    cart = []
    for line in lines:
        if type(line) is not dict or not line.keys() <= _LINE:
            return None
        sku: Any = line.get("sku")
        quantity = line.get("quantity", 1)
        if not _identifier(sku) or type(quantity) is not int or not 0 < quantity <= MAX_QUANTITY:
            return None
        cart.append(cart_line(sku, quantity))
    return tuple(cart)
