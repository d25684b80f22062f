"""`DashboardReports` on SQL: aggregates over decisions, offers, orders and refunds.

Every query groups in the database; Python only merges the few grouped rows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import (
    Date,
    Engine,
    Integer,
    cast,
    func,
    select,
)
from sqlalchemy.sql import ColumnElement

from tactful.adapters.db.offer_refunds import (
    paid_lines,
    refunded_candidates,
    refunded_lines,
    refunds_by_order,
)
from tactful.adapters.db.repositories._common import utc
from tactful.adapters.db.tables import order_lines, orders, products
from tactful.adapters.db.tables_offers import decisions, offer_impressions, offer_responses
from tactful.domain.dashboard import CustomerOutcomes, Period
from tactful.domain.offers.trace_log import LoggedCandidate, read_trace
from tactful.services.ports.dashboard import (
    DailyActivity,
    DecisionSummary,
    OfferStats,
    ShownOffer,
    merge_offer_stats,
)

_HELD = func.max(cast(decisions.c.held_out, Integer))


class SqlDashboardReports:
    """`tactful.services.ports.dashboard.DashboardReports` on a SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _day(self, column: Any) -> ColumnElement[Any]:
        if self.engine.dialect.name == "postgresql":
            return cast(func.timezone("UTC", column), Date)
        return func.date(column)

    def _in(self, column: Any, period: Period) -> ColumnElement[bool]:
        within: ColumnElement[bool] = (column >= utc(period.since)) & (column < utc(period.until))
        return within

    def outcomes(self, period: Period) -> CustomerOutcomes:
        first = (
            select(
                decisions.c.customer_id,
                func.min(decisions.c.at).label("first_at"),
                _HELD.label("held"),
            )
            .where(self._in(decisions.c.at, period))
            .group_by(decisions.c.customer_id)
            .subquery()
        )
        refunded = refunds_by_order()
        value = func.sum(order_lines.c.quantity * order_lines.c.unit_price)
        order_day = self._day(orders.c.created_at)
        net_orders = (
            select(
                orders.c.customer_id,
                order_day.label("day"),
                orders.c.currency,
                (value - func.max(func.coalesce(refunded.c.amount, 0))).label("net"),
            )
            .join(first, first.c.customer_id == orders.c.customer_id)
            .join(order_lines, order_lines.c.order_id == orders.c.order_id)
            .outerjoin(refunded, refunded.c.order_id == orders.c.order_id)
            .where(orders.c.created_at >= first.c.first_at)
            .where(orders.c.created_at < utc(period.until))
            .group_by(orders.c.order_id, orders.c.customer_id, order_day, orders.c.currency)
            .subquery()
        )
        per_day = select(
            net_orders.c.customer_id,
            net_orders.c.day,
            net_orders.c.currency,
            func.sum(net_orders.c.net),
        ).group_by(net_orders.c.customer_id, net_orders.c.day, net_orders.c.currency)
        customers = select(first.c.customer_id, self._day(first.c.first_at), first.c.held)
        with self.engine.connect() as connection:
            customer_rows = connection.execute(customers).all()
            rows = connection.execute(per_day).all()
        return _outcomes(customer_rows, rows)

    def daily(self, period: Period) -> list[DailyActivity]:
        counts: dict[date, Counter[str]] = defaultdict(Counter)
        made = self._day(decisions.c.at)
        shown = self._day(offer_impressions.c.at)
        answered = self._day(offer_responses.c.at)
        paid_day = self._day(orders.c.created_at)
        queries = {
            "decisions": select(made, func.count(), func.sum(cast(decisions.c.held_out, Integer)))
            .where(self._in(decisions.c.at, period))
            .group_by(made),
            "impressions": select(shown, func.count())
            .where(self._in(offer_impressions.c.at, period))
            .group_by(shown),
            "responses": select(answered, offer_responses.c.response, func.count())
            .where(self._in(offer_responses.c.at, period))
            .group_by(answered, offer_responses.c.response),
            "revenue": select(paid_day, func.sum(order_lines.c.quantity * order_lines.c.unit_price))
            .join(orders, orders.c.order_id == order_lines.c.order_id)
            .where(order_lines.c.offer_id.is_not(None))
            .where(self._in(orders.c.created_at, period))
            .group_by(paid_day),
        }
        with self.engine.connect() as connection:
            for day, total, held in connection.execute(queries["decisions"]):
                counts[_as_date(day)].update(decisions=int(total), held_out=int(held or 0))
            for day, total in connection.execute(queries["impressions"]):
                counts[_as_date(day)]["impressions"] += int(total)
            for day, response, total in connection.execute(queries["responses"]):
                counts[_as_date(day)][str(response)] += int(total)
            for day, total in connection.execute(queries["revenue"]):
                counts[_as_date(day)]["revenue"] += int(total or 0)
        return [
            DailyActivity(
                day=day,
                decisions=c["decisions"],
                held_out=c["held_out"],
                impressions=c["impressions"],
                accepted=c["accepted"],
                declined=c["declined"] + c["dismissed"],
                offer_revenue=c["revenue"],
            )
            for day, c in sorted(counts.items())
        ]

    def offer_stats(self, period: Period) -> list[OfferStats]:
        return merge_offer_stats(stats for _, stats in self.offer_stats_by_day(period))

    def offer_stats_by_day(self, period: Period) -> list[tuple[date, OfferStats]]:
        day = self._day(decisions.c.at)
        key = (day, offer_impressions.c.sku, offer_impressions.c.kind, decisions.c.moment)
        base = (
            select(*key)
            .join(decisions, decisions.c.decision_id == offer_impressions.c.decision_id)
            .where(self._in(decisions.c.at, period))
        )
        shown = base.add_columns(func.count()).group_by(*key)
        answered = (
            base.add_columns(offer_responses.c.response, func.count())
            .join(
                offer_responses,
                (offer_responses.c.decision_id == offer_impressions.c.decision_id)
                & (offer_responses.c.offer_id == offer_impressions.c.offer_id),
            )
            .group_by(*key, offer_responses.c.response)
        )
        paid = paid_lines(base, key)
        stats: dict[tuple[date, str, str, str], Counter[str]] = defaultdict(Counter)
        with self.engine.connect() as connection:
            for when, sku, kind, moment, total in connection.execute(shown):
                stats[(_as_date(when), sku, kind, moment)]["impressions"] += int(total)
            for when, sku, kind, moment, response, total in connection.execute(answered):
                stats[(_as_date(when), sku, kind, moment)][str(response)] += int(total)
            for when, sku, kind, moment, count, revenue, refunded in connection.execute(paid):
                entry = stats[(_as_date(when), sku, kind, moment)]
                entry.update(paid=int(count), revenue=int(revenue or 0))
                entry["refunded"] += round(float(refunded or 0))
            found = connection.execute(refunded_candidates(base))
            for (when, sku, kind, moment), count in refunded_lines(found, _as_date).items():
                stats[(when, sku, kind, moment)]["refunded_lines"] += count
            names = self._names(connection, {sku for _, sku, _, _ in stats})
        return [
            (when, _offer_stats(sku, str(names.get(sku, sku)), kind, moment, c))
            for (when, sku, kind, moment), c in sorted(stats.items())
        ]

    def _names(self, connection: Any, skus: set[str]) -> dict[str, str]:
        query = select(products.c.sku, products.c.name).where(products.c.sku.in_(skus))
        return dict(connection.execute(query).all())

    def recent_decisions(
        self, limit: int, *, before: datetime | None = None
    ) -> list[DecisionSummary]:
        query = select(decisions).order_by(decisions.c.at.desc(), decisions.c.decision_id)
        if before is not None:
            query = query.where(decisions.c.at < utc(before))
        with self.engine.connect() as connection:
            heads = connection.execute(query.limit(limit)).mappings().all()
            return _with_offers(connection, heads)

    def decision(self, decision_id: str) -> DecisionSummary | None:
        query = select(decisions).where(decisions.c.decision_id == decision_id)
        with self.engine.connect() as connection:
            heads = connection.execute(query).mappings().all()
            found = _with_offers(connection, heads)
            if not found:
                return None
            trace = read_trace(heads[0]["trace"])
            names = self._names(connection, _mentioned(found[0], trace))
        return replace(found[0], trace=trace, names=names)

    def currency(self) -> str:
        query = (
            select(orders.c.currency)
            .group_by(orders.c.currency)
            .order_by(func.count().desc())
            .limit(1)
        )
        with self.engine.connect() as connection:
            found = connection.execute(query).scalar()
        return str(found) if found else "GBP"

    def time_span(self) -> tuple[datetime, datetime] | None:
        # Two queries: each walks one end of the index on `at` (SQLite scans the whole log
        # for a min and a max asked together).
        with self.engine.connect() as connection:
            low = connection.execute(select(func.min(decisions.c.at))).scalar()
            high = connection.execute(select(func.max(decisions.c.at))).scalar()
        if low is None or high is None:
            return None
        return _aware(low), _aware(high)


def _offer_stats(sku: str, name: str, kind: str, moment: str, c: Counter[str]) -> OfferStats:
    return OfferStats(
        sku=sku,
        name=name,
        kind=kind,
        moment=moment,
        impressions=c["impressions"],
        accepted=c["accepted"],
        declined=c["declined"],
        dismissed=c["dismissed"],
        paid=c["paid"],
        revenue=c["revenue"],
        refunded=c["refunded"],
        refunded_lines=c["refunded_lines"],
    )


def _mentioned(decision: DecisionSummary, trace: Iterable[LoggedCandidate] | None) -> set[str]:
    """The SKUs a decision's page names: its cart, offers and candidates with their anchors."""
    skus = {str(line["sku"]) for line in decision.cart or () if isinstance(line, dict)}
    skus.update(offer.sku for offer in decision.offers)
    for candidate in trace or ():
        skus.add(candidate.sku)
        if candidate.for_sku is not None:
            skus.add(candidate.for_sku)
        if candidate.evidence is not None:
            skus.update(candidate.evidence.antecedent)
    return skus


def _with_offers(connection: Any, heads: Iterable[Any]) -> list[DecisionSummary]:
    heads = list(heads)
    ids = [head["decision_id"] for head in heads]
    if not ids:
        return []
    answers: dict[tuple[str, str], list[str]] = defaultdict(list)
    for decision_id, offer_id, response in connection.execute(
        select(
            offer_responses.c.decision_id, offer_responses.c.offer_id, offer_responses.c.response
        )
        .where(offer_responses.c.decision_id.in_(ids))
        .order_by(offer_responses.c.at)
    ):
        answers[(decision_id, offer_id)].append(str(response))
    shown: dict[str, list[ShownOffer]] = defaultdict(list)
    for row in connection.execute(
        select(offer_impressions)
        .where(offer_impressions.c.decision_id.in_(ids))
        .order_by(offer_impressions.c.position)
    ).mappings():
        shown[row["decision_id"]].append(
            ShownOffer(
                offer_id=row["offer_id"],
                sku=row["sku"],
                kind=row["kind"],
                format=row["format"],
                price=int(row["price"]),
                currency=row["currency"],
                relevance=row["relevance"],
                responses=tuple(answers[(row["decision_id"], row["offer_id"])]),
            )
        )
    return [
        DecisionSummary(
            decision_id=head["decision_id"],
            customer_id=head["customer_id"],
            moment=head["moment"],
            channel=head["channel"],
            at=_aware(head["at"]),
            held_out=bool(head["held_out"]),
            model_version=head["model_version"],
            cart=head["cart"],
            offers=tuple(shown[head["decision_id"]]),
        )
        for head in heads
    ]


def _outcomes(customers: Sequence[Any], rows: Sequence[Any]) -> CustomerOutcomes:
    index = {row[0]: i for i, row in enumerate(customers)}
    currency = Counter(row[2] for row in rows).most_common(1)
    chosen = currency[0][0] if currency else "GBP"
    kept = [row for row in rows if row[2] == chosen]
    ordinal = _ordinals()
    return CustomerOutcomes(
        held_out=np.array([bool(row[2]) for row in customers], dtype=bool),
        first_day=np.array([ordinal(row[1]) for row in customers], dtype=np.int64),
        order_customer=np.array([index[row[0]] for row in kept], dtype=np.int64),
        order_day=np.array([ordinal(row[1]) for row in kept], dtype=np.int64),
        order_value=np.array([int(row[3]) for row in kept], dtype=np.int64),
        currency=chosen,
    )


def _ordinals() -> Any:
    """Day values (a date, or SQLite's YYYY-MM-DD text) to ordinals, each parsed once."""
    seen: dict[Any, int] = {}

    def ordinal(value: Any) -> int:
        found = seen.get(value)
        if found is None:
            found = seen[value] = _as_date(value).toordinal()
        return found

    return ordinal


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)
