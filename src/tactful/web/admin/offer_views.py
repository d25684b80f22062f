"""The offers page's table and chart: the measurement's outcomes, or the logs' own counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tactful.services.dashboard import OffersReport
from tactful.services.ports.dashboard import OfferStats
from tactful.web.admin import charts
from tactful.web.admin.views import Table, major, money, share


@dataclass(frozen=True)
class OfferLine:
    """One row of the offers page: an offer at a moment, every figure of its CSV row, grouped
    so the table fits a desktop screen (each rate over the counts it is made of)."""

    name: str
    sku: str
    kind: str
    moment: str
    shown: int
    acceptance: str
    accepted: int
    conversion: str
    converted: int
    net_revenue: str
    decline_rate: str
    declined: int
    dismissed: int | None
    """Dismissed apart from declined (the measurement keeps them apart; the logs add them)."""
    ignored: int | None
    """Neither answered nor bought within the window (the measurement only)."""


def offer_lines(report: OffersReport) -> list[OfferLine]:
    """The offers page's rows: the measurement's outcomes when there, else the logs' counts."""
    cur = report.currency
    if report.outcomes is None:
        return [
            OfferLine(
                name=o.name,
                sku=o.sku,
                kind=_words(o.kind),
                moment=_words(o.moment),
                shown=o.impressions,
                acceptance=share(o.acceptance),
                accepted=o.accepted,
                conversion=share(o.conversion),
                converted=o.paid,
                net_revenue=money(o.net_revenue, cur),
                decline_rate=share(o.decline_rate),
                declined=o.declined + o.dismissed,
                dismissed=None,
                ignored=None,
            )
            for o in report.stats
        ]
    return [
        OfferLine(
            name=report.names.get(o.sku, o.sku),
            sku=o.sku,
            kind=_words(o.kind),
            moment=_words(o.moment),
            shown=o.impressions,
            acceptance=share(o.acceptance_rate),
            accepted=o.accepted,
            conversion=share(o.conversion_rate),
            converted=o.converted,
            net_revenue=money(o.net_revenue, cur),
            decline_rate=share(o.decline_rate),
            declined=o.declined,
            dismissed=o.dismissed,
            ignored=o.ignored,
        )
        for o in report.outcomes
    ]


def _words(code: str) -> str:
    return code.replace("_", " ")


def offers_table(report: OffersReport) -> Table:
    """The offers page's data (its CSV, every figure a column): the measurement's outcomes
    when there, else the logs' counts. The page shows the same figures grouped, `offer_lines`.
    """
    if report.outcomes is None:
        return offer_tables(report.stats, report.currency)
    cur, days = report.currency, f"{report.attribution_days:g}"
    headers = [
        "item", "kind", "moment", "shown", "acceptance", "conversion",
        f"net revenue ({cur})", "accepted", "declined", "dismissed", "decline rate",
        f"converted ≤ {days} d", "ignored", "sku",
    ]  # fmt: skip
    rows = [
        [
            report.names.get(o.sku, o.sku),
            o.kind.replace("_", " "),
            o.moment.replace("_", " "),
            o.impressions,
            share(o.acceptance_rate),
            share(o.conversion_rate),
            major(o.net_revenue, cur),
            o.accepted,
            o.declined,
            o.dismissed,
            share(o.decline_rate),
            o.converted,
            o.ignored,
            o.sku,
        ]
        for o in report.outcomes
    ]
    return headers, rows


def offers_chart(report: OffersReport) -> str:
    """Net revenue of the ten offers that earned most (credited within the window if measured)."""
    if report.outcomes is None:
        return offer_chart(report.stats, report.currency)
    top = sorted(report.outcomes, key=lambda o: -o.net_revenue)[:10]
    return charts.twin(
        charts.bars,
        rows=[
            (
                f"{report.names.get(o.sku, o.sku)} · {o.moment.replace('_', ' ')} "
                f"{o.kind.replace('_', '-')}",
                float(o.net_revenue),
            )
            for o in top
            if o.net_revenue > 0
        ],
        title="Net revenue of the ten best-earning offers",
        chart_id="offers",
        fmt=lambda v: money(v, report.currency),
        colour=charts.GREEN,
    )


def offer_tables(offers: Sequence[OfferStats], currency: str) -> Table:
    """The offers page's table (and CSV) from the logs' own counts."""
    return (
        [
            "item",
            "sku",
            "kind",
            "moment",
            "shown",
            "accepted",
            "acceptance",
            "declined",
            "decline rate",
            "paid",
            "conversion",
            f"net revenue ({currency})",
        ],
        [
            [
                o.name,
                o.sku,
                o.kind.replace("_", " "),
                o.moment.replace("_", " "),
                o.impressions,
                o.accepted,
                share(o.acceptance),
                o.declined + o.dismissed,
                share(o.decline_rate),
                o.paid,
                share(o.conversion),
                major(o.net_revenue, currency),
            ]
            for o in offers
        ],
    )


def offer_chart(offers: Sequence[OfferStats], currency: str) -> str:
    """Net revenue of the ten offers that earned most."""
    top = sorted(offers, key=lambda o: -o.net_revenue)[:10]
    return charts.twin(
        charts.bars,
        rows=[
            (
                f"{o.name} · {o.moment.replace('_', ' ')} {o.kind.replace('_', '-')}",
                float(o.net_revenue),
            )
            for o in top
            if o.net_revenue > 0
        ],
        title="Net revenue of the ten best-earning offers",
        chart_id="offers",
        fmt=lambda v: money(v, currency),
        colour=charts.GREEN,
    )
