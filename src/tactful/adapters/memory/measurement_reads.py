"""`MeasurementReads` over the memory database: the same rows the SQL reads give."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import datetime, timedelta

from tactful.adapters.memory._common import utc
from tactful.adapters.memory.database import MemoryDatabase, MemoryState
from tactful.domain.measurement import (
    Conversion,
    CustomerTotals,
    Exposure,
    FunnelRow,
    OrderTotal,
    customer_totals,
)
from tactful.domain.measurement.segments import CustomerTraits, traits_of
from tactful.domain.offers import OfferResponse
from tactful.domain.offers.records import DecisionRecord, Impression
from tactful.domain.orders import Order

__all__ = ["MemoryMeasurementReads"]


class MemoryMeasurementReads:
    """`tactful.services.ports.measurement.MeasurementReads` over a memory database."""

    def __init__(self, database: MemoryDatabase) -> None:
        self.database = database

    def exposures(self, *, since: datetime, until: datetime) -> list[Exposure]:
        first: dict[str, DecisionRecord] = {}
        held: dict[str, set[bool]] = {}
        for record in self.database.state.offers.decisions.values():
            at = utc(record.at)
            if not utc(since) <= at < utc(until):
                continue
            seen = first.get(record.customer_id)
            if seen is None or (at, record.decision_id) < (utc(seen.at), seen.decision_id):
                first[record.customer_id] = record
            held.setdefault(record.customer_id, set()).add(record.held_out)
        return [
            Exposure(
                customer,
                utc(record.at),
                next(iter(held[customer])) if len(held[customer]) == 1 else None,
                record.moment,
                record.channel,
            )
            for customer, record in first.items()
        ]

    def order_totals(self, *, since: datetime, until: datetime) -> list[OrderTotal]:
        state = self.database.state
        return [
            OrderTotal(
                order.customer_id,
                utc(order.created_at),
                order.total.amount,
                sum(line.quantity for line in order.lines),
                _refunded(state, order.order_id),
                order.currency,
            )
            for order in _orders(state, since, until)
            if order.customer_id is not None
        ]

    def customer_totals(
        self,
        exposures: Sequence[Exposure],
        *,
        until: datetime,
        pre_period: timedelta,
        rolled: tuple[datetime, datetime] | None = None,
    ) -> list[CustomerTotals]:
        # No order rollups in memory: every order is read, which is what they stand for.
        starts = [e.first_at for e in exposures if e.held_out is not None]
        if not starts:
            return []
        orders = self.order_totals(since=min(starts) - pre_period, until=until)
        return customer_totals(exposures, orders, until=until, pre_period=pre_period)

    def customer_traits(self, *, since: datetime, until: datetime) -> dict[str, CustomerTraits]:
        kinds = self.product_kinds()
        counts: dict[tuple[str, str], int] = {}
        for order in _orders(self.database.state, since, until):
            for line in order.lines if order.customer_id is not None else ():
                key = (str(order.customer_id), kinds.get(line.sku, "physical"))
                counts[key] = counts.get(key, 0) + 1
        countries = {
            customer_id: str(row["country"])
            for customer_id, row in self.database.state.customers.customers.items()
            if row.get("country")
        }
        return traits_of(countries, [(*key, count) for key, count in counts.items()])

    def product_kinds(self) -> dict[str, str]:
        products = self.database.state.catalog.products
        return {sku: str(row.get("kind", "physical")) for sku, row in products.items()}

    def funnel(
        self, *, since: datetime, until: datetime, customers: Collection[str] | None = None
    ) -> list[FunnelRow]:
        state = self.database.state
        counts: dict[tuple[str, str, str], list[int]] = {}
        wanted = None if customers is None else set(customers)
        for impression in _impressions(state, since, until):
            if wanted is not None and impression.customer_id not in wanted:
                continue
            moment = state.offers.decisions[impression.decision_id].moment
            row = counts.setdefault((impression.kind, impression.sku, moment), [0] * 5)
            answers = _answers(state, impression)
            row[0] += 1
            row[1] += bool(answers)
            for column, response in enumerate(_ANSWERS, start=2):
                row[column] += response in answers
        return [FunnelRow(*key, *row) for key, row in counts.items()]

    def conversions(
        self,
        *,
        since: datetime,
        until: datetime,
        attribution: timedelta,
        customers: Collection[str] | None = None,
    ) -> list[Conversion]:
        state = self.database.state
        shown: dict[tuple[str, str], list[Impression]] = {}
        wanted = None if customers is None else set(customers)
        for impression in state.offers.impressions.values():
            if wanted is not None and impression.customer_id not in wanted:
                continue
            shown.setdefault((impression.customer_id, impression.sku), []).append(impression)
        found = []
        in_window = {o.order_id for o in _orders(state, since, until + attribution)}
        for order in state.orders.orders.values():
            if order.customer_id is None:
                continue
            at = utc(order.created_at)
            refunded, total = _refunded(state, order.order_id), order.total.amount
            for line in order.lines:
                impressions = shown.get((order.customer_id, line.sku), ())
                named = [i for i in impressions if i.offer_id == line.offer_id]
                if not named and order.order_id not in in_window:
                    continue
                candidates = named or [
                    i for i in impressions if at - attribution <= utc(i.at) <= at
                ]
                if not candidates:
                    continue
                latest = max(candidates, key=lambda i: (utc(i.at), i.decision_id, i.offer_id))
                if not utc(since) <= utc(latest.at) < utc(until):
                    continue
                gross = line.total.amount
                net = round(gross * (total - refunded) / total) if total > 0 else gross
                moment = state.offers.decisions[latest.decision_id].moment
                answered = bool(_answers(state, latest))
                found.append(
                    Conversion(
                        latest.decision_id, latest.offer_id, latest.kind, latest.sku, moment,
                        answered, net,
                    )
                )  # fmt: skip
        return found


_ANSWERS = (OfferResponse.ACCEPTED, OfferResponse.DECLINED, OfferResponse.DISMISSED)


def _orders(state: MemoryState, since: datetime, until: datetime) -> Iterator[Order]:
    for order in state.orders.orders.values():
        if utc(since) <= utc(order.created_at) < utc(until):
            yield order


def _impressions(state: MemoryState, since: datetime, until: datetime) -> Iterator[Impression]:
    for impression in state.offers.impressions.values():
        if utc(since) <= utc(impression.at) < utc(until):
            yield impression


def _answers(state: MemoryState, impression: Impression) -> set[OfferResponse]:
    return {
        response
        for response in _ANSWERS
        if (impression.decision_id, impression.offer_id, response) in state.offers.responses
    }


def _refunded(state: MemoryState, order_id: str) -> int:
    return sum(
        refund.amount
        for refund in state.refunds.refunds.values()
        if refund.order_id == order_id and refund.counts
    )
