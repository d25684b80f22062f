"""POST /v1/products: create or update the catalogue (secret key)."""

from __future__ import annotations

from fastapi import APIRouter

from tactful.domain.catalog import Product, Sku, Tier
from tactful.domain.money import Money
from tactful.web.api.schemas_ingest import ProductIn, ProductsIn, ProductsOut, convert_each
from tactful.web.deps import IngestDep, SecretKey

router = APIRouter(prefix="/v1/products", tags=["catalogue"])


def to_product(item: ProductIn) -> Product:
    """The domain product for one validated item."""
    currency = item.currency.upper()
    return Product(
        sku=Sku(item.sku),
        name=item.name,
        price=Money(item.price, currency),
        kind=item.kind,
        category=item.category,
        compare_at=Money(item.compare_at_price, currency)
        if item.compare_at_price is not None
        else None,
        tier=Tier(item.tier.ladder, item.tier.rank) if item.tier is not None else None,
        outcome=item.outcome,
        active=item.active,
        inventory=item.inventory,
        billing_period=item.billing_period,
        image_url=item.image_url,
    )


@router.post("", response_model=ProductsOut, response_model_exclude_none=True)
def upsert_products(body: ProductsIn, _scope: SecretKey, ingest: IngestDep) -> ProductsOut:
    """Upsert the batch (all or nothing); a changed price is added to the price history.

    A changed currency is stored and named in `warnings`: the product's offers then drop
    for carts priced in its old currency.
    """
    products = convert_each("products", body.products, to_product)
    counts, warnings = ingest.products_noting_changes(products)
    return ProductsOut(
        received=len(products),
        created=counts.created,
        updated=counts.updated,
        unchanged=counts.unchanged,
        warnings=warnings or None,
    )
