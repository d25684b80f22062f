"""Simulated traffic as the records real traffic leaves: decisions, responses, orders, refunds."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from tactful.domain.catalog import Sku
from tactful.domain.customers import CustomerId
from tactful.domain.measurement.simulation import Traffic
from tactful.domain.money import Money
from tactful.domain.offers import OfferResponse
from tactful.domain.offers.records import DecisionRecord, Impression
from tactful.domain.orders import Order, OrderId, OrderLine
from tactful.domain.refunds import OrderRefund, RefundStatus

__all__ = [
    "CHANNEL",
    "Response",
    "decision_id_prefix",
    "decisions",
    "orders",
    "refunds",
    "responses",
]

CHANNEL = "simulation"
_ANSWERS = (OfferResponse.ACCEPTED, OfferResponse.DECLINED, OfferResponse.DISMISSED)


@dataclass(frozen=True, slots=True)
class Response:
    """A customer's answer to an impression."""

    impression: Impression
    response: OfferResponse
    at: datetime


def decision_id_prefix(seed: int) -> str:
    """The prefix of every id one seed's simulation writes (a seed runs once per database)."""
    return f"sim{seed}-"


def is_simulated(decision_id: str) -> bool:
    """Whether `decision_id` was written by a simulation (`decision_id_prefix` of some seed)."""
    return re.match(r"sim[0-9]+-", decision_id) is not None


def _at(traffic: Traffic, seconds: float) -> datetime:
    return traffic.plan.start + timedelta(seconds=float(seconds))


def decisions(traffic: Traffic) -> Iterator[DecisionRecord]:
    """One decision per visit; treated visits show their one offer."""
    prefix, plan = decision_id_prefix(traffic.plan.seed), traffic.plan
    moments = np.random.default_rng(plan.seed + 1).integers(
        0, len(plan.moments), size=traffic.visit_customer.size
    )
    for row, customer in enumerate(traffic.visit_customer.tolist()):
        decision_id = f"{prefix}d{row}"
        at = _at(traffic, traffic.visit_seconds[row])
        held = bool(traffic.held_out[customer])
        customer_id = traffic.customers[customer].customer_id
        shown = () if held else (impression(traffic, row),)
        yield DecisionRecord(
            decision_id, customer_id, plan.moments[moments[row]], at, held, [], shown, CHANNEL
        )


def impression(traffic: Traffic, row: int) -> Impression:
    """The offer shown at visit `row`."""
    item = traffic.plan.offers[int(traffic.visit_offer[row])]
    customer = traffic.customers[int(traffic.visit_customer[row])].customer_id
    return Impression(
        f"{decision_id_prefix(traffic.plan.seed)}d{row}",
        f"{decision_id_prefix(traffic.plan.seed)}f{row}",
        0,
        customer,
        item.kind,
        item.sku,
        None,
        "inline",
        Money(item.price, traffic.plan.currency),
        _at(traffic, traffic.visit_seconds[row]),
        channel=CHANNEL,
    )


def responses(traffic: Traffic) -> Iterator[Response]:
    """Accepted, declined and dismissed answers, half a minute after the offer."""
    for row in np.flatnonzero((traffic.visit_response >= 0) & (traffic.visit_response < 3)):
        answer = _ANSWERS[int(traffic.visit_response[row])]
        shown = impression(traffic, int(row))
        yield Response(shown, answer, shown.at + timedelta(seconds=30))


def orders(traffic: Traffic) -> Iterator[Order]:
    """Baseline orders of basket items, and the orders accepted offers made."""
    plan, prefix = traffic.plan, decision_id_prefix(traffic.plan.seed)
    skus = np.random.default_rng(plan.seed + 2).integers(
        0, len(plan.offers), size=traffic.order_customer.size
    )
    for row, customer in enumerate(traffic.order_customer.tolist()):
        offer = int(traffic.order_offer[row])
        item = (
            plan.offers[int(traffic.visit_offer[offer])] if offer >= 0 else plan.offers[skus[row]]
        )
        units = int(traffic.order_units[row])
        price = Money(int(traffic.order_value[row]) // units, plan.currency)
        yield Order(
            OrderId(f"{prefix}o{row}"),
            _at(traffic, traffic.order_seconds[row]),
            (OrderLine(Sku(item.sku), units, price),),
            CustomerId(traffic.customers[customer].customer_id),
        )


def refunds(traffic: Traffic) -> Iterator[OrderRefund]:
    """A full refund of each refunded order, a day after it."""
    prefix = decision_id_prefix(traffic.plan.seed)
    for row in np.flatnonzero(traffic.order_refunded).tolist():
        yield OrderRefund(
            f"{prefix}r{row}",
            f"{prefix}o{row}",
            int(traffic.order_value[row]),
            traffic.plan.currency,
            "simulated",
            RefundStatus.SUCCEEDED,
            None,
            None,
            _at(traffic, traffic.order_seconds[row] + 86400),
        )
