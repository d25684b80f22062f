"""Request and response bodies for products, customers, orders and events.

Money is an integer of minor units (StrictInt: 12.5 or "12" is an error naming the field).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi.exceptions import RequestValidationError
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationInfo,
    field_validator,
)

from tactful.domain.catalog import BillingPeriod, ProductKind
from tactful.domain.events import EventType
from tactful.domain.orders import LineSource
from tactful.services.request_fields import NO_NUL, Identifier, as_utc

In = TypeVar("In")
Out = TypeVar("Out")

Text = Annotated[str, Field(max_length=10_000, pattern=NO_NUL)]
Int32 = Annotated[StrictInt, Field(ge=0, le=2**31 - 1)]
Currency = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$", examples=["GBP"])]
MinorUnits = Annotated[StrictInt, Field(ge=0, le=10**15, description="Integer minor units")]
ImageUrl = Annotated[
    str,
    Field(
        max_length=2000,
        pattern=r"^(https://|/)[^\s\"'<>\\]*$",
        description="Product image for hosted pages: an https:// URL or a path on this server",
        examples=["https://cdn.example.com/course.jpg"],
    ),
]


class TierIn(BaseModel):
    """A rung on an upgrade ladder."""

    ladder: Annotated[str, Field(min_length=1, max_length=64)]
    rank: Int32


class ProductIn(BaseModel):
    """One product to create or update."""

    sku: Identifier
    name: Annotated[Text, Field(min_length=1, max_length=1000)]
    price: MinorUnits
    currency: Currency
    kind: ProductKind = ProductKind.PHYSICAL
    category: Text | None = None
    compare_at_price: MinorUnits | None = None
    tier: TierIn | None = None
    outcome: Annotated[Text, Field(max_length=500)] | None = None
    active: StrictBool = True
    inventory: Int32 | None = None
    image_url: ImageUrl | None = None
    billing_period: BillingPeriod | None = Field(
        None,
        description="Subscriptions only: how often it is billed (week, month, quarter, "
        "year); the same plan on a longer period is offered as the term switch",
    )

    @field_validator("billing_period")
    @classmethod
    def _period_for_subscriptions(
        cls, value: BillingPeriod | None, info: ValidationInfo
    ) -> BillingPeriod | None:
        if value is not None and info.data.get("kind") is not ProductKind.SUBSCRIPTION:
            raise ValueError("only a subscription (kind subscription) has a billing period")
        return value


class ProductsIn(BaseModel):
    """A batch of products; one bad item rejects the whole batch."""

    products: Annotated[list[ProductIn], Field(min_length=1)]


class ConsentsIn(BaseModel):
    """Consents as the customer set them; omitted purposes are left as they were."""

    model_config = ConfigDict(extra="forbid")

    onsite_offers: StrictBool | None = None
    marketing_email: StrictBool | None = None


class CustomerIn(BaseModel):
    """One customer to create or update."""

    id: Identifier
    email: Annotated[str, Field(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")] | None = None
    timezone: Annotated[str, Field(min_length=1, max_length=64)] = "UTC"
    consents: ConsentsIn | None = None

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value


class CustomersIn(BaseModel):
    """A batch of customers."""

    customers: Annotated[list[CustomerIn], Field(min_length=1)]


class OrderLineIn(BaseModel):
    """One SKU bought."""

    sku: Identifier
    quantity: Annotated[StrictInt, Field(ge=1, le=1_000_000)]
    unit_price: MinorUnits
    offer_id: Annotated[str, Field(max_length=64)] | None = None
    source: LineSource = LineSource.MAIN


class OrderIn(BaseModel):
    """One completed order; its id makes a retried delivery land once."""

    id: Identifier
    customer_id: Identifier | None
    created_at: datetime
    currency: Currency | None = Field(
        None, description="Defaults to the currency of the order's products in the catalogue"
    )
    lines: Annotated[list[OrderLineIn], Field(min_length=1, max_length=10_000)]
    external_id: Identifier | None = Field(
        None,
        description="The shop platform's own id of the order (Shopify's numeric order id), "
        "so the platform's refund webhooks find it",
    )

    @field_validator("created_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return as_utc(value)


class OrdersIn(BaseModel):
    """A batch of orders."""

    orders: Annotated[list[OrderIn], Field(min_length=1)]


class EventIn(BaseModel):
    """One behavioural signal; without an id the server assigns one."""

    id: Identifier | None = None
    type: EventType
    customer_id: Identifier
    at: datetime | None = None
    sku: Identifier | None = None
    properties: dict[str, Any] = Field(default_factory=dict)

    @field_validator("at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else as_utc(value)


class EventsIn(BaseModel):
    """A batch of events."""

    events: Annotated[list[EventIn], Field(min_length=1)]


class UpsertCountsOut(BaseModel):
    """What an upsert did: new rows, changed rows, rows already as sent."""

    received: int
    created: int
    updated: int
    unchanged: int


class ProductsOut(UpsertCountsOut):
    """What a product upsert did, and what the merchant should know about it."""

    warnings: list[str] | None = Field(
        None,
        description="Present when there is something to know, e.g. a product whose currency "
        "changed: its offers drop for carts priced in the old currency",
    )


class InsertCountsOut(BaseModel):
    """What an idempotent insert did: new orders and orders already stored."""

    received: int
    inserted: int
    duplicate: int


class EventsOut(BaseModel):
    """Events durably stored (accepted) and repeats of stored ids (duplicate)."""

    accepted: int
    duplicate: int
    ids: list[str]


def convert_each(name: str, items: Sequence[In], convert: Callable[[In], Out]) -> list[Out]:
    """Convert every item, or reject the request naming the bad item (e.g. `orders.3`)."""
    converted: list[Out] = []
    for index, item in enumerate(items):
        try:
            converted.append(convert(item))
        except (ValueError, TypeError) as exc:
            raise RequestValidationError(
                [{"loc": ("body", name, index), "msg": str(exc), "type": "value_error"}]
            ) from None
    return converted
