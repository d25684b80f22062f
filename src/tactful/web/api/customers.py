"""POST /v1/customers: customers and the consents they gave or withdrew (secret key)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter

from tactful.domain.customers import Consent, ConsentPurpose, Customer, CustomerId
from tactful.web.api.schemas_ingest import CustomerIn, CustomersIn, UpsertCountsOut, convert_each
from tactful.web.deps import IngestDep, SecretKey

router = APIRouter(prefix="/v1/customers", tags=["customers"])


def to_customer(item: CustomerIn, at: datetime) -> Customer:
    """The domain customer; each consent sent becomes a record dated now, source "api"."""
    given = item.consents.model_dump(exclude_none=True) if item.consents is not None else {}
    consents = tuple(
        Consent(ConsentPurpose(purpose), bool(granted), at, "api")
        for purpose, granted in given.items()
    )
    return Customer(CustomerId(item.id), item.email, item.timezone, consents)


@router.post("", response_model=UpsertCountsOut)
def upsert_customers(body: CustomersIn, _scope: SecretKey, ingest: IngestDep) -> UpsertCountsOut:
    """Upsert the batch (all or nothing) with its consent records."""
    at = ingest.clock.now()
    customers = convert_each("customers", body.customers, lambda c: to_customer(c, at))
    counts = ingest.customers(customers)
    return UpsertCountsOut(
        received=len(customers),
        created=counts.created,
        updated=counts.updated,
        unchanged=counts.unchanged,
    )
