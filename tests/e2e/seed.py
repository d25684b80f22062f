"""A small catalogue and checkout page shared by the checkout API and browser tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select

from tactful.adapters.db.repositories.catalog import upsert_products
from tactful.adapters.db.tables import order_lines
from tactful.adapters.db.tables_checkout import charges
from tactful.domain.catalog import Product, ProductKind, Sku
from tactful.domain.money import Money

SECRET = "sk_test_secret_key_0123456789"
SUCCESS_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"
AUTH_CARD = "4000 0025 0000 3155"

PAGE: dict[str, Any] = {
    "slug": "deep-focus",
    "title": "Deep Focus course",
    "currency": "GBP",
    "items": [{"sku": "COURSE", "quantity": 1}],
    "max_quantity": 3,
    "bumps": [
        {
            "sku": "WORKBOOK",
            "headline": "Finish every lesson with the printed workbook",
            "reason": "Most students use it to keep notes next to each exercise.",
        },
        {"sku": "CHEATSHEET", "headline": "Keep the one-page cheat sheet on your desk"},
    ],
    "upsells": [
        {
            "sku": "COACHING",
            "headline": "Get a coach to keep you on track",
            "reason": "Four calls in the first month",
            "downsell": {"sku": "COACHING_LITE", "headline": "One coaching call instead"},
        },
        {
            "sku": "TEMPLATES",
            "headline": "Plan each week in ten minutes",
            "downsell": {"sku": "TEMPLATES_MINI", "headline": "Just the weekly planner"},
        },
    ],
    "branding": {"name": "Focus Academy", "primary_color": "#0b5394"},
    "tax": {"mode": "inclusive", "rate_bps": 2000, "label": "VAT"},
    "offer_expiry_minutes": 15,
}

PRICES = {
    "COURSE": 2900,
    "WORKBOOK": 900,
    "CHEATSHEET": 500,
    "COACHING": 12000,
    "COACHING_LITE": 4900,
    "TEMPLATES": 1900,
    "TEMPLATES_MINI": 900,
}


def seed_catalogue(engine: Engine, now: datetime | None = None) -> None:
    """Products; COURSE was 39.00 for a month, so its 'was' price is lawful."""
    now = now or datetime.now(UTC)
    earlier = now - timedelta(days=40)
    course_before = Product(
        Sku("COURSE"), "Deep Focus course", Money(3900, "GBP"), ProductKind.DIGITAL
    )
    products = [
        Product(
            Sku(sku),
            sku.replace("_", " ").title(),
            Money(price, "GBP"),
            ProductKind.DIGITAL,
            compare_at=Money(3900, "GBP") if sku == "COURSE" else None,
        )
        for sku, price in PRICES.items()
    ]
    with engine.begin() as conn:
        upsert_products(conn, [course_before], at=earlier)
        upsert_products(conn, products, at=now - timedelta(days=5))


def count_charges(engine: Engine, status: str | None = "succeeded") -> int:
    """Gateway charges stored (succeeded ones by default)."""
    query = select(func.count()).select_from(charges)
    if status is not None:
        query = query.where(charges.c.status == status)
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def order_line_rows(engine: Engine, order_id: str) -> list[tuple[str, str, str | None, int]]:
    """(sku, source, offer_id, unit_price) of an order's lines, in order."""
    query = (
        select(
            order_lines.c.sku,
            order_lines.c.source,
            order_lines.c.offer_id,
            order_lines.c.unit_price,
        )
        .where(order_lines.c.order_id == order_id)
        .order_by(order_lines.c.line_no)
    )
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query)]  # type: ignore[misc]
