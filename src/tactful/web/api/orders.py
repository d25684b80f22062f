"""POST /v1/orders: completed orders, stored once by id (secret key)."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter

from tactful.domain.catalog import Sku
from tactful.domain.customers import CustomerId
from tactful.domain.money import Money
from tactful.domain.offers import OfferCatalog
from tactful.domain.orders import OfferId, Order, OrderId, OrderLine
from tactful.web.api.schemas_ingest import InsertCountsOut, OrderIn, OrdersIn, convert_each
from tactful.web.deps import DecisionsDep, IngestDep, SecretKey

router = APIRouter(prefix="/v1/orders", tags=["orders"])

FALLBACK_CURRENCY = "GBP"


def order_currency(item: OrderIn, catalog: OfferCatalog) -> str:
    """The order's currency: as sent, else its products', else the catalogue's usual one."""
    if item.currency:
        return item.currency.upper()
    for line in item.lines:
        product = catalog.get(Sku(line.sku))
        if product is not None:
            return product.price.currency
    usual = Counter(p.price.currency for p in catalog.products.values()).most_common(1)
    return usual[0][0] if usual else FALLBACK_CURRENCY


def to_order(item: OrderIn, catalog: OfferCatalog) -> Order:
    """The domain order for one validated item."""
    currency = order_currency(item, catalog)
    lines = tuple(
        OrderLine(
            sku=Sku(line.sku),
            quantity=line.quantity,
            unit_price=Money(line.unit_price, currency),
            offer_id=OfferId(line.offer_id) if line.offer_id else None,
            source=line.source,
        )
        for line in item.lines
    )
    customer = CustomerId(item.customer_id) if item.customer_id else None
    return Order(OrderId(item.id), item.created_at, lines, customer)


@router.post("", response_model=InsertCountsOut)
def insert_orders(
    body: OrdersIn, _scope: SecretKey, ingest: IngestDep, decisions: DecisionsDep
) -> InsertCountsOut:
    """Store the batch (all or nothing); an order id already stored is counted, not changed."""
    catalog = decisions.catalog.current()
    orders = convert_each("orders", body.orders, lambda o: to_order(o, catalog))
    external = {o.id: o.external_id for o in body.orders if o.external_id is not None}
    counts = ingest.orders(orders, external_ids=external)
    return InsertCountsOut(
        received=len(orders), inserted=counts.orders_new, duplicate=counts.orders_existing
    )
