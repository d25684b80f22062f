"""`MeasurementReads` on SQL: each read one aggregated query, grouped in the database."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    and_,
    case,
    exists,
    func,
    literal_column,
    or_,
    select,
    union_all,
)

from tactful.adapters.db.customer_totals import read_customer_totals, refunded_of_order
from tactful.adapters.db.repositories._common import chunked, utc
from tactful.adapters.db.tables import customers, order_lines, orders, products
from tactful.adapters.db.tables_offers import decisions, offer_impressions, offer_responses
from tactful.domain.measurement import (
    Conversion,
    CustomerTotals,
    Exposure,
    FunnelRow,
    OrderTotal,
)
from tactful.domain.measurement.offers import add_funnels
from tactful.domain.measurement.segments import CustomerTraits, traits_of
from tactful.domain.offers import OfferResponse

__all__ = ["SqlMeasurementReads"]


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def _customers_in(customers: Collection[str] | None) -> Iterator[tuple[Any, ...]]:
    """The conditions that cut a read of impressions into chunks of `customers` (one with
    no condition when every customer is read)."""
    if customers is None:
        yield ()
        return
    for chunk in chunked(sorted(set(customers))):
        yield (offer_impressions.c.customer_id.in_(chunk),)


class SqlMeasurementReads:
    """`tactful.services.ports.measurement.MeasurementReads` on a SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def exposures(self, *, since: datetime, until: datetime) -> list[Exposure]:
        held = _flag(decisions.c.held_out)
        by_customer = decisions.c.customer_id
        ranked = (
            select(
                decisions.c.customer_id,
                decisions.c.at,
                decisions.c.moment,
                decisions.c.channel,
                func.min(held).over(partition_by=by_customer).label("low"),
                func.max(held).over(partition_by=by_customer).label("high"),
                func.row_number()
                .over(partition_by=by_customer, order_by=(decisions.c.at, decisions.c.decision_id))
                .label("rank"),
            )
            .where(decisions.c.at >= utc(since), decisions.c.at < utc(until))
            .subquery()
        )
        query = select(
            ranked.c.customer_id,
            ranked.c.at,
            ranked.c.low,
            ranked.c.high,
            ranked.c.moment,
            ranked.c.channel,
        ).where(ranked.c.rank == 1)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            Exposure(customer, utc(first), bool(low) if low == high else None, moment, channel)
            for customer, first, low, high, moment, channel in rows
        ]

    def order_totals(self, *, since: datetime, until: datetime) -> list[OrderTotal]:
        line_total = order_lines.c.quantity * order_lines.c.unit_price
        query = (
            select(
                orders.c.customer_id,
                orders.c.created_at,
                func.sum(line_total),
                func.sum(order_lines.c.quantity),
                refunded_of_order(),
                orders.c.currency,
            )
            .join(order_lines, order_lines.c.order_id == orders.c.order_id)
            .where(orders.c.customer_id.is_not(None))
            .where(orders.c.created_at >= utc(since), orders.c.created_at < utc(until))
            .group_by(
                orders.c.order_id, orders.c.customer_id, orders.c.created_at, orders.c.currency
            )
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            OrderTotal(customer, utc(at), int(gross), int(units), int(refunded), currency)
            for customer, at, gross, units, refunded, currency in rows
        ]

    def customer_totals(
        self,
        exposures: Sequence[Exposure],
        *,
        until: datetime,
        pre_period: timedelta,
        rolled: tuple[datetime, datetime] | None = None,
    ) -> list[CustomerTotals]:
        with self.engine.connect() as connection:
            return read_customer_totals(
                connection, exposures, until=until, pre_period=pre_period, rolled=rolled
            )

    def customer_traits(self, *, since: datetime, until: datetime) -> dict[str, CustomerTraits]:
        lines = (
            select(orders.c.customer_id, products.c.kind, func.count())
            .join(order_lines, order_lines.c.order_id == orders.c.order_id)
            .join(products, products.c.sku == order_lines.c.sku)
            .where(orders.c.customer_id.is_not(None))
            .where(orders.c.created_at >= utc(since), orders.c.created_at < utc(until))
            .group_by(orders.c.customer_id, products.c.kind)
        )
        countries = select(customers.c.customer_id, customers.c.country).where(
            customers.c.country.is_not(None)
        )
        with self.engine.connect() as connection:
            counted = connection.execute(lines).all()
            known = dict(connection.execute(countries).all())
        return traits_of(known, counted)

    def product_kinds(self) -> dict[str, str]:
        with self.engine.connect() as connection:
            return dict(connection.execute(select(products.c.sku, products.c.kind)).all())

    def funnel(
        self, *, since: datetime, until: datetime, customers: Collection[str] | None = None
    ) -> list[FunnelRow]:
        query = self._funnel_query(since, until)
        found = []
        with self.engine.connect() as connection:
            for where in _customers_in(customers):
                rows = connection.execute(query.where(*where)).all()
                found += [FunnelRow(*row[:3], *(int(value) for value in row[3:])) for row in rows]
        return found if customers is None else add_funnels(found)

    def _funnel_query(self, since: datetime, until: datetime) -> Select[Any]:
        r, i = offer_responses, offer_impressions
        shown = i.c.at >= utc(since), i.c.at < utc(until)
        # Only the answers to decisions with an impression in the span are grouped (by the
        # primary key), not every answer ever logged.
        answers = (
            select(
                r.c.decision_id,
                r.c.offer_id,
                *(
                    func.max(_flag(r.c.response == response.value)).label(response.value)
                    for response in _ANSWERS
                ),
            )
            .where(r.c.decision_id.in_(select(i.c.decision_id).where(*shown)))
            .group_by(r.c.decision_id, r.c.offer_id)
            .subquery()
        )
        query = (
            select(
                i.c.kind,
                i.c.sku,
                decisions.c.moment,
                func.count(),
                func.count(answers.c.decision_id),
                *(func.coalesce(func.sum(answers.c[a.value]), 0) for a in _ANSWERS),
            )
            .join(decisions, decisions.c.decision_id == i.c.decision_id)
            .outerjoin(
                answers,
                and_(answers.c.decision_id == i.c.decision_id, answers.c.offer_id == i.c.offer_id),
            )
            .where(*shown)
            .group_by(i.c.kind, i.c.sku, decisions.c.moment)
        )
        return query

    def conversions(
        self,
        *,
        since: datetime,
        until: datetime,
        attribution: timedelta,
        customers: Collection[str] | None = None,
    ) -> list[Conversion]:
        query = self._conversions_query(since, until, attribution)
        found = []
        with self.engine.connect() as connection:
            for where in _customers_in(customers):
                found += [_conversion(*row) for row in connection.execute(query.where(*where))]
        return found

    def _conversions_query(
        self, since: datetime, until: datetime, attribution: timedelta
    ) -> Select[Any]:
        credited = self._credited_lines(since, until, attribution)
        i, r = offer_impressions, offer_responses
        order_gross = (
            select(func.sum(order_lines.c.quantity * order_lines.c.unit_price))
            .where(order_lines.c.order_id == orders.c.order_id)
            .scalar_subquery()
        )
        responded = exists().where(
            r.c.decision_id == credited.c.decision_id, r.c.offer_id == credited.c.offer_id
        )
        query = (
            select(
                credited.c.decision_id,
                credited.c.offer_id,
                i.c.kind,
                i.c.sku,
                decisions.c.moment,
                responded,
                credited.c.gross,
                order_gross,
                refunded_of_order(),
            )
            .join(
                i,
                and_(
                    i.c.decision_id == credited.c.decision_id, i.c.offer_id == credited.c.offer_id
                ),
            )
            .join(decisions, decisions.c.decision_id == credited.c.decision_id)
            .join(orders, orders.c.order_id == credited.c.order_id)
            .where(i.c.at >= utc(since), i.c.at < utc(until))
        )
        return query

    def _credited_lines(self, since: datetime, until: datetime, attribution: timedelta) -> Any:
        """Order lines with the latest impression of their SKU shown to the buyer before them."""
        i = offer_impressions
        window_start = self._shift(orders.c.created_at, -attribution)
        latest = (
            select(i)
            .where(i.c.customer_id == orders.c.customer_id, i.c.sku == order_lines.c.sku)
            .where(i.c.at <= orders.c.created_at, i.c.at >= window_start)
            .order_by(i.c.at.desc(), i.c.decision_id.desc(), i.c.offer_id.desc())
            .limit(1)
        )
        decision = latest.with_only_columns(i.c.decision_id).scalar_subquery()
        offer = latest.with_only_columns(i.c.offer_id).scalar_subquery()
        lines = (
            select(
                order_lines.c.order_id,
                (order_lines.c.quantity * order_lines.c.unit_price).label("gross"),
                decision.label("decision_id"),
                offer.label("offer_id"),
            )
            .join(orders, orders.c.order_id == order_lines.c.order_id)
            .where(orders.c.customer_id.is_not(None))
            .where(
                orders.c.created_at >= utc(since), orders.c.created_at < utc(until + attribution)
            )
            .where(or_(order_lines.c.offer_id.is_(None), ~_names_an_offer()))
            .subquery()
        )
        by_time = select(lines).where(lines.c.decision_id.is_not(None))
        # Computed once, then joined: inlined, PostgreSQL without statistics on fresh tables
        # re-ran these correlated look-ups for every impression (minutes on 400 orders).
        credited = union_all(by_time, self._lines_naming_offers(since, until)).cte("credited")
        return credited.prefix_with("MATERIALIZED")

    def _lines_naming_offers(self, since: datetime, until: datetime) -> Any:
        """Order lines that carry the offer id of an impression of their SKU shown to their
        buyer (a one-click upsell added to an order placed before the offer): credited to that
        impression, whenever the order was placed."""
        i = offer_impressions
        return (
            select(
                order_lines.c.order_id,
                (order_lines.c.quantity * order_lines.c.unit_price).label("gross"),
                i.c.decision_id,
                i.c.offer_id,
            )
            .join(orders, orders.c.order_id == order_lines.c.order_id)
            .join(
                i,
                and_(
                    i.c.customer_id == orders.c.customer_id,
                    i.c.offer_id == order_lines.c.offer_id,
                    i.c.sku == order_lines.c.sku,
                ),
            )
            .where(order_lines.c.offer_id.is_not(None))
            .where(i.c.at >= utc(since), i.c.at < utc(until))
        )

    def _shift(self, column: Any, by: timedelta) -> Any:
        """`column` moved by `by`, in the engine's dialect (whole seconds)."""
        seconds = int(by.total_seconds())
        if self.engine.dialect.name == "sqlite":
            return func.strftime("%Y-%m-%d %H:%M:%f", column, f"{seconds:+d} seconds")
        return column + literal_column(f"interval '{seconds} seconds'")


def _names_an_offer() -> Any:
    """The outer order line carries the offer id of an impression of its SKU to its buyer."""
    i = offer_impressions
    return exists().where(
        i.c.customer_id == orders.c.customer_id,
        i.c.offer_id == order_lines.c.offer_id,
        i.c.sku == order_lines.c.sku,
    )


_ANSWERS = (OfferResponse.ACCEPTED, OfferResponse.DECLINED, OfferResponse.DISMISSED)


def _net_share(gross: int, order_total: int, refunded: int) -> int:
    """A line's share of its order's net revenue (refunds spread over the order's lines)."""
    if order_total <= 0:
        return gross
    return round(gross * (order_total - refunded) / order_total)


def _conversion(
    decision_id: str,
    offer_id: str,
    kind: str,
    sku: str,
    moment: str,
    answered: Any,
    gross: Any,
    order_total: Any,
    refunded: Any,
) -> Conversion:
    net = _net_share(int(gross), int(order_total or 0), int(refunded))
    return Conversion(decision_id, offer_id, kind, sku, moment, bool(answered), net)
