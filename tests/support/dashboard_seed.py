"""A synthetic store for the dashboard: decisions, offers, answers, orders and refunds.

Treated customers spend a planted amount more than held-out ones, so the overview has an
effect to find. Written straight into the tables, as the decision log and ingest would.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select

from tactful.adapters.db.tables import order_lines, orders, products
from tactful.adapters.db.tables_offers import decisions, offer_impressions, offer_responses
from tactful.adapters.db.tables_payments import order_refunds
from tactful.domain.catalog import Sku
from tactful.domain.money import Money
from tactful.domain.offers import Candidate, Evidence, OfferKind, ReasonCode, TraceEntry
from tactful.domain.offers.trace_log import trace_text

START = datetime(2026, 11, 1, tzinfo=UTC)
SKUS = {
    "MUG": ("Enamel mug", 1200),
    "BEANS": ("House coffee beans 250 g", 950),
    "GRINDER": ("Hand grinder", 4500),
    "FILTERS": ("Paper filters (100)", 400),
    "KETTLE": ("Gooseneck kettle", 6500),
    "SCALE": ("Brewing scale", 3200),
}
MOMENTS = ("checkout", "post_purchase", "product_page")


def seed_store(
    engine: Engine, *, decisions_count: int = 600, seed: int = 7, days: int = 28
) -> None:
    """`decisions_count` decisions over `days` days, with 10% of customers held out."""
    rng = random.Random(seed)
    rows: dict[str, list[dict[str, object]]] = {
        "decisions": [],
        "impressions": [],
        "responses": [],
        "orders": [],
        "lines": [],
        "refunds": [],
    }
    customers = max(decisions_count // 3, 10)
    for i in range(decisions_count):
        when = rng.uniform(0, days)
        # customers arrive over time and drift away: each buys mostly soon after arriving
        newest = int(when / days * customers)
        code = max(newest - int(rng.expovariate(1 / max(customers / 12, 1))), 0)
        _one_decision(rng, rows, i, f"cus_{code:05d}", when)
    with engine.begin() as connection:
        connection.execute(
            insert(products),
            [
                {"sku": sku, "name": name, "price": price, "currency": "GBP", "updated_at": START}
                for sku, (name, price) in SKUS.items()
            ],
        )
        for table, key in (
            (decisions, "decisions"),
            (offer_impressions, "impressions"),
            (offer_responses, "responses"),
            (orders, "orders"),
            (order_lines, "lines"),
            (order_refunds, "refunds"),
        ):
            if rows[key]:
                connection.execute(insert(table), rows[key])


def _one_decision(
    rng: random.Random, rows: dict[str, list[dict[str, object]]], i: int, customer: str, day: float
) -> None:
    at = START + timedelta(days=day)
    held = int(customer[4:]) % 10 == 0
    decision_id = f"dec_{i:07d}"
    moment = rng.choice(MOMENTS)
    cart_sku = rng.choice(list(SKUS))
    decision_row: dict[str, object] = {
        "decision_id": decision_id,
        "customer_id": customer,
        "moment": moment,
        "channel": "web",
        "at": at,
        "held_out": held,
        "offer_count": 0 if held else 1,
        "cart": [{"sku": cart_sku, "quantity": 1}],
        "model_version": "m1",
    }
    rows["decisions"].append(decision_row)
    decision_row["trace"] = _trace(cart_sku, None)
    order_id = f"ord_{i:07d}"
    lines = [
        {
            "order_id": order_id,
            "line_no": 1,
            "sku": cart_sku,
            "quantity": 1 + int(rng.expovariate(1.0) * (1 + int(customer[4:]) % 4)),
            "unit_price": SKUS[cart_sku][1],
            "offer_id": None,
            "source": "main",
        }
    ]
    if not held:
        sku = rng.choice([s for s in SKUS if s != cart_sku])
        kind = rng.choice(("cross_sell", "upsell"))
        offer_id = f"off_{i:07d}"
        rows["impressions"].append(
            {
                "decision_id": decision_id,
                "offer_id": offer_id,
                "position": 0,
                "customer_id": customer,
                "kind": kind,
                "sku": sku,
                "for_sku": cart_sku,
                "format": "inline",
                "price": SKUS[sku][1],
                "currency": "GBP",
                "relevance": round(rng.random(), 3),
                "at": at,
            }
        )
        decision_row["trace"] = _trace(cart_sku, rows["impressions"][-1])
        answer = rng.random()
        response = "accepted" if answer < 0.22 else "declined" if answer < 0.55 else None
        if response:
            rows["responses"].append(
                {
                    "decision_id": decision_id,
                    "offer_id": offer_id,
                    "response": response,
                    "customer_id": customer,
                    "at": at + timedelta(seconds=20),
                }
            )
        if response == "accepted":
            lines.append(
                {
                    "order_id": order_id,
                    "line_no": 2,
                    "sku": sku,
                    "quantity": 1,
                    "unit_price": SKUS[sku][1],
                    "offer_id": offer_id,
                    "source": "upsell" if kind == "upsell" else "bump",
                }
            )
    rows["orders"].append(
        {
            "order_id": order_id,
            "customer_id": customer,
            "created_at": at + timedelta(minutes=2),
            "currency": "GBP",
            "source": "api",
        }
    )
    rows["lines"].extend(lines)
    chance = rng.random()  # orders with an offer line are refunded more, to count their kinds
    if chance < 0.06 or (len(lines) > 1 and chance < 0.2):
        rows["refunds"].append(_refund(i, lines, at + timedelta(days=2)))


def _refund(i: int, lines: list[dict[str, object]], at: datetime) -> dict[str, object]:
    """A refund of the order's first line's value (an amount: no offer line counts as refunded
    unless that is the whole order), or, on an order with an offer line, by turns of that line
    alone (by line) or of the whole order."""
    values = [int(str(line["quantity"])) * int(str(line["unit_price"])) for line in lines]
    amount, named = values[0], None
    if len(lines) > 1 and i % 3 == 1:
        amount, named = values[1], [{"line_no": 2, "quantity": 1, "amount": values[1]}]
    elif len(lines) > 1 and i % 3 == 2:
        amount = sum(values)
    return {
        "refund_id": f"re_{i:07d}",
        "order_id": lines[0]["order_id"],
        "amount_minor": amount,
        "currency": "GBP",
        "reason": "requested_by_customer",
        "status": "succeeded",
        "gateway_ref": None,
        "lines": named,
        "created_at": at,
    }


def refunded_offer_lines(engine: Engine) -> int:
    """Offer lines named by a refund, or in an order whose refunds add up to all of it."""
    lines = _rows(engine, order_lines)
    totals: Counter[str] = Counter()
    for line in lines:
        totals[line["order_id"]] += line["quantity"] * line["unit_price"]
    given: Counter[str] = Counter()
    named: set[tuple[str, int]] = set()
    for refund in _rows(engine, order_refunds):
        given[refund["order_id"]] += refund["amount_minor"]
        named |= {(refund["order_id"], n["line_no"]) for n in refund["lines"] or ()}
    return sum(
        1
        for line in lines
        if line["offer_id"]
        and (
            given[line["order_id"]] >= totals[line["order_id"]]
            or (line["order_id"], line["line_no"]) in named
        )
    )


def _rows(engine: Engine, table: Any) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(select(table)).mappings()]


BUYERS = {"MUG": 1203, "BEANS": 2410, "GRINDER": 388, "FILTERS": 1650, "KETTLE": 512, "SCALE": 640}
"""Customers who bought each item: the antecedent counts of the seeded traces' evidence."""


def _candidate(
    sku: str, kind: str, cart_sku: str, relevance: float, reasons: list[str], strength: int
) -> TraceEntry:
    """A trace entry with the figures the decision log keeps: a cross-sell's co-purchase
    counts and lift (`strength` % of the cart item's buyers also bought it), an upsell's price
    step."""
    buyers = BUYERS[cart_sku]
    price = Money(SKUS[sku][1], "GBP")
    increase = price - Money(SKUS[cart_sku][1], "GBP") if kind == "upsell" else price
    evidence = None
    if kind == "cross_sell":
        together = buyers * strength // 100
        evidence = Evidence(
            (Sku(cart_sku),), Sku(sku), together, buyers, together / 20_000,
            strength / 100, strength / 12.5, relevance, "customers",
        )  # fmt: skip
    candidate = Candidate(
        OfferKind(kind), Sku(sku), Sku(cart_sku), SKUS[sku][0], price, increase, relevance,
        evidence,
    )  # fmt: skip
    return TraceEntry(candidate, tuple(ReasonCode(code) for code in reasons))


def _trace(cart_sku: str, shown: dict[str, object] | None) -> str:
    """The trace the decision log keeps: the offer shown, if any, and two candidates the
    guardrails dropped; every candidate held out when none is shown."""
    others = [sku for sku in SKUS if sku != cart_sku and (shown is None or sku != shown["sku"])]
    held = ["held_out"] if shown is None else None
    candidates = [
        _candidate(others[0], "cross_sell", cart_sku, 0.081, held or ["below_relevance_floor"], 1),
        _candidate(
            others[1], "upsell", cart_sku, 0.042, held or ["price_above_ceiling", "cooldown"], 0
        ),
    ]
    if shown is not None:
        kind, sku = str(shown["kind"]), str(shown["sku"])
        relevance = float(str(shown["relevance"]))
        candidates.insert(0, _candidate(sku, kind, cart_sku, relevance, ["kept"], 41))
    return trace_text(candidates)
