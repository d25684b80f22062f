"""What the storefront asks for a decision: one model to document, check and decide on.

POST /v1/decisions documents its body from `DecisionRequest` (OpenAPI is generated from it),
reads the JSON with it in one pass (its errors name the field), and hands it as it is to
`DecisionService.decide`. In JSON a cart line is `CartLineIn` ({"sku", "quantity"}); once
read it is the domain's `CartLine`, so the service passes the cart to `decide()` unchanged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetPydanticSchema,
    StrictInt,
    field_validator,
)
from pydantic_core import CoreSchema, core_schema

from tactful.domain.catalog import Sku
from tactful.domain.offers import CartLine, Moment, Task
from tactful.domain.offers.framing import is_time_zone
from tactful.services.request_fields import Identifier, as_utc

MAX_CART_LINES = 500
MAX_QUANTITY = 1_000_000
MAX_CHANNEL = 32


class CartLineIn(BaseModel):
    """One SKU in the cart, as the JSON body carries it."""

    sku: Identifier
    quantity: Annotated[StrictInt, Field(ge=1, le=MAX_QUANTITY)] = 1


def _cart_line(line: CartLineIn) -> CartLine:
    return CartLine(Sku(line.sku), line.quantity)


def _cart_line_schema(_source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
    """From JSON: checked as `CartLineIn`, then a `CartLine`; from Python: a `CartLine`."""
    from_json = core_schema.no_info_after_validator_function(
        _cart_line, handler.generate_schema(CartLineIn)
    )
    return core_schema.json_or_python_schema(
        json_schema=from_json, python_schema=core_schema.is_instance_schema(CartLine)
    )


CartLineField = Annotated[CartLine, GetPydanticSchema(_cart_line_schema)]
"""A domain cart line that reads (and is documented) as `CartLineIn` in JSON."""


class ContextIn(BaseModel):
    """Where the customer is within the moment."""

    model_config = ConfigDict(frozen=True)

    task: Task | None = None
    channel: Annotated[str, Field(min_length=1, max_length=MAX_CHANNEL)] | None = None
    viewing: Identifier | None = Field(None, description="SKU of the product page (browsing)")
    expires_at: datetime | None = Field(
        None, description="A real deadline set by the merchant; the only source of urgency"
    )
    time_zone: Annotated[str, Field(min_length=1, max_length=64)] | None = Field(
        None,
        description="The customer's IANA time zone (e.g. Europe/London): deadlines are "
        "written in it; UTC when absent",
        examples=["Europe/London"],
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None and not is_time_zone(value):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like Europe/London)")
        return value

    @field_validator("expires_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else as_utc(value)


NO_CONTEXT = ContextIn()
"""The context of a request that sends none: frozen, so every such request shares it."""


def _no_context() -> ContextIn:
    """`NO_CONTEXT`, not a new `ContextIn` per request (a model built in Python costs ~5 µs)."""
    return NO_CONTEXT


class DecisionRequest(BaseModel):
    """Which offers, if any, to show this customer at this moment.

    Read from JSON with `model_validate_json`; built in Python by keyword, with domain
    `CartLine`s in the cart. The service reads the context through the properties below.
    """

    model_config = ConfigDict(frozen=True)

    customer_id: Identifier
    moment: Moment
    cart: Annotated[list[CartLineField], Field(max_length=MAX_CART_LINES)] = Field(
        default_factory=list
    )
    context: ContextIn = Field(default_factory=_no_context)

    @property
    def task(self) -> Task | None:
        """Whether the customer's task is in progress or done (context.task)."""
        return self.context.task

    @property
    def channel(self) -> str | None:
        """Where the offers will be shown (context.channel)."""
        return self.context.channel

    @property
    def viewing(self) -> Sku | None:
        """The product page being viewed (context.viewing)."""
        viewing = self.context.viewing
        return None if viewing is None else Sku(viewing)

    @property
    def expires_at(self) -> datetime | None:
        """The merchant's real deadline, in UTC (context.expires_at)."""
        return self.context.expires_at

    @property
    def time_zone(self) -> str | None:
        """The customer's time zone for deadlines (context.time_zone)."""
        return self.context.time_zone
