"""Figures as the dashboard prints them: money, shares, charts and their CSV tables."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tactful.domain.countries import country_name
from tactful.domain.measurement import Overview
from tactful.domain.measurement.comparison import Lift as MeasuredLift
from tactful.domain.measurement.segments import NONE
from tactful.domain.money import Money, exponent
from tactful.services.dashboard import CustomersReport, OverviewReport
from tactful.web.admin import charts

Table = tuple[list[str], list[list[Any]]]
MINUS = "\u2212"
"""The minus sign every negative figure on a page shows ("−£12.00", "−1.7%"); CSV files
(`csv_text`) carry the ASCII hyphen-minus instead, as spreadsheets read it."""


def signed(value: float, spec: str) -> str:
    """`value` formatted by `spec` ("+.1%", ",.2f"), negative with the minus sign."""
    text = format(value, spec)
    return MINUS + text[1:] if text.startswith("-") else text


def money(minor: float | None, currency: str) -> str:
    """Minor units as the currency prints them ("£1,234.50"); a dash for unknown."""
    if minor is None:
        return "–"
    amount = round(minor)
    text = Money(abs(amount), currency).format()
    return f"{MINUS}{text}" if amount < 0 else text


def compact(minor: float, currency: str) -> str:
    """An axis label: "£1.2k", "−£40k", "£3.1M" (symbol from the currency's own format)."""
    value = minor / 10 ** exponent(currency)
    symbol = Money(0, currency).format().rstrip("0.,\u00a0 ")
    size = abs(value)
    for limit, suffix in ((1e6, "M"), (1e3, "k")):
        if size >= limit:
            text = f"{size / limit:.3g}{suffix}"
            break
    else:
        text = f"{size:.3g}"
    return f"{MINUS if value < 0 else ''}{symbol}{text}"


def money_major(value: float, currency: str) -> str:
    """Major units (12.5) as the currency prints them."""
    return money(value * 10 ** exponent(currency), currency)


def major(minor: float, currency: str) -> float:
    """Minor units as a plain number of major units, for CSV files."""
    return float(round(minor / 10 ** exponent(currency), exponent(currency)))


def share(value: float | None) -> str:
    """A rate as a percentage with one decimal; a dash for unknown."""
    return "–" if value is None else signed(value, ".1%")


def overview_tables(report: OverviewReport) -> dict[str, Table]:
    """Each overview chart's data, as headers and rows (also served as CSV)."""
    cur = report.currency
    statistics = statistics_table(report)
    return {
        **({"statistics": statistics} if statistics else {}),
        "segments": segments_table(report),
        "incremental": (
            ["day", f"incremental revenue ({cur})", "95% CI low", "95% CI high"],
            [
                [
                    p.day.isoformat(),
                    major(p.estimate, cur),
                    major(p.ci_low, cur),
                    major(p.ci_high, cur),
                ]
                for p in report.incremental_series
            ],
        ),
        "funnel": (
            ["step", "count"],
            [
                ["offers shown", report.funnel.impressions],
                ["accepted", report.funnel.accepted],
                ["paid", report.funnel.paid],
                ["refunded", report.funnel.refunded],
            ],
        ),
        "moments": (
            [
                "moment",
                "offers shown",
                "accepted",
                "declined",
                "acceptance",
                f"net revenue ({cur})",
            ],
            [
                [
                    m.moment,
                    m.impressions,
                    m.accepted,
                    m.declined,
                    share(m.acceptance),
                    major(m.net_revenue, cur),
                ]
                for m in report.moments
            ],
        ),
        "daily": (
            [
                "day",
                "decisions",
                "held out",
                "offers shown",
                "accepted",
                "declined",
                f"offer revenue ({cur})",
            ],
            [
                [
                    a.day.isoformat(),
                    a.decisions,
                    a.held_out,
                    a.impressions,
                    a.accepted,
                    a.declined,
                    major(a.offer_revenue, cur),
                ]
                for a in report.activity
            ],
        ),
    }


def segment_rows(report: OverviewReport) -> list[tuple[str, Overview]]:
    """Each value of the chosen segment with its comparison, most customers first."""
    return [(name.partition(":")[2], found) for name, found in report.segments.items()]


def value_label(dimension: str, value: str) -> str:
    """A segment's value as a person reads it: a country's name, not its code (`GB`)."""
    if dimension != "country":
        return value
    return "unknown" if value == NONE else country_name(value)


def segments_table(report: OverviewReport) -> Table:
    """Revenue per customer, treated against held out, for each value of the segment;
    countries by name, with their code in a last column (the `segment=country:GB` value)."""
    cur = report.currency
    coded = report.segment == "country"
    rows = []
    for value, found in segment_rows(report):
        lift = found.revenue
        cells = (
            [lift.estimate, lift.ci_low, lift.ci_high] if lift is not None else [None, None, None]
        )
        rows.append(
            [
                value_label(report.segment, value),
                found.treated,
                found.held_out,
                *(money(c, cur) if c is not None else "–" for c in cells),
                *([value] if coded else []),
            ]
        )
    heading = ["value", "treated", "held out", "lift per customer", "95% CI low", "95% CI high"]
    return ([*heading, "code"] if coded else heading, rows)


def overview_charts(report: OverviewReport) -> dict[str, str]:
    """The overview's SVG charts."""
    cur = report.currency
    lift_by_segment = charts.twin(
        charts.intervals,
        rows=[
            (
                f"{value_label(report.segment, value)} ({found.treated + found.held_out:,})",
                found.revenue.estimate,
                found.revenue.ci_low,
                found.revenue.ci_high,
            )
            for value, found in segment_rows(report)
            if found.revenue is not None
        ],
        title=(
            "Revenue per customer, treated minus held out, with its 95% interval, "
            f"by {report.segment}"
        ),
        chart_id="segments",
        fmt=lambda v: money(v, cur),
    )
    band = [
        charts.Band(p.day.strftime("%d %b"), p.estimate, p.ci_low, p.ci_high)
        for p in report.incremental_series
    ]
    f = report.funnel
    return {
        "incremental": charts.twin(
            charts.line_with_band,
            points=band,
            title="Cumulative incremental revenue with its 95% confidence band, by day",
            chart_id="incremental",
            fmt=lambda v: compact(v, cur),
        ),
        "funnel": charts.twin(
            charts.funnel,
            steps=[
                ("Offers shown", f.impressions),
                ("Accepted", f.accepted),
                ("Paid", f.paid),
                ("Refunded", f.refunded),
            ],
            title="Funnel: offers shown, accepted, paid, and the paid lines refunded",
            chart_id="funnel",
            last_lost=True,
        ),
        "moments": charts.twin(
            charts.bars,
            rows=[(m.moment.replace("_", " "), (m.acceptance or 0.0)) for m in report.moments],
            title="Acceptance rate by moment",
            chart_id="moments",
            fmt=share,
            label_width=160,
        ),
        "segments": lift_by_segment,
    }


def customer_tables(report: CustomersReport) -> dict[str, Table]:
    """The customers page's data: CLV bins, cohort retention and upgrader windows."""
    tables: dict[str, Table] = {}
    if report.clv is not None:
        cur = report.clv.currency
        tables["clv"] = (
            [f"expected value from ({cur})", f"to ({cur})", "customers"],
            [
                [round(low, 2), round(high, 2), count]
                for low, high, count in report.value_histogram()
            ],
        )
    if report.cohorts is not None:
        data = report.cohorts.to_dict()
        months = max((len(c["retention"]) for c in data["cohorts"]), default=0)
        tables["cohorts"] = (
            ["cohort", "customers", *[f"month {k}" for k in range(months)]],
            [
                [c["cohort"], c["customers"], *[_pct(r) for r in c["retention"]]]
                for c in data["cohorts"]
            ],
        )
        tables["upgraders"] = (
            [
                "window (days)",
                "upgraders",
                "upgraders ordering again",
                "matched non-upgraders",
                "difference",
            ],
            [
                [
                    w["days"],
                    w["upgraders"],
                    share(w["upgrader_repeat_rate"]),
                    share(w["control_repeat_rate"]),
                    share(w["difference"]),
                ]
                for w in data["upgraders"]["windows"]
            ],
        )
    return tables


def customer_charts(report: CustomersReport) -> dict[str, str]:
    """CLV histogram and the cohort heatmap (the most recent 12 cohorts, 12 months)."""
    out: dict[str, str] = {}
    if report.clv is not None:
        cur = report.clv.currency
        out["clv"] = charts.twin(
            charts.histogram,
            bins=report.value_histogram(),
            title="Customers by expected value over the next 52 weeks",
            chart_id="clv",
            fmt=lambda v: money(v * 10 ** exponent(cur), cur),
        )
    if report.cohorts is not None:
        cohorts = report.cohorts.retention
        rates = cohorts.rates[-12:, :12]
        labels = list(cohorts.cohorts[-12:])
        out["cohorts"] = charts.heatmap(
            labels,
            [f"M{k}" for k in range(rates.shape[1] if rates.size else 0)],
            [[None if v != v else float(v) for v in row] for row in rates],
            title="Share of each monthly cohort ordering again, by month since first order",
            chart_id="cohorts",
        )
    return out


def _pct(value: float | None) -> str:
    return "" if value is None else signed(value, ".1%")


def csv_text(table: Table) -> str:
    """A table as CSV text (RFC 4180 quoting), negative figures with the ASCII minus."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table[0])
    writer.writerows(table[1])
    return buffer.getvalue().replace(MINUS, "-")


def _lift_row(
    label: str, lift: MeasuredLift | None, fmt: Callable[[float], str], note: str = ""
) -> list[Any] | None:
    if lift is None:
        return None
    relative = "–" if lift.relative is None else signed(lift.relative, "+.1%")
    return [
        label,
        fmt(lift.treated),
        fmt(lift.control),
        fmt(lift.estimate),
        f"{fmt(lift.ci_low)} to {fmt(lift.ci_high)}",
        relative,
        f"{lift.p_value:.3f}",
        note,
    ]


def statistics_table(report: OverviewReport) -> Table | None:
    """Every comparison of the measurement against the holdout, one metric a row."""
    m = report.measured
    if m is None or m.revenue is None:
        return None
    cur = report.currency

    def cash(value: float) -> str:
        return money(value, cur)

    def points(value: float) -> str:
        return signed(value, ".1%")

    def hundredths(value: float) -> str:
        return signed(value, ".2f")

    rows = [
        _lift_row("Revenue per customer", m.revenue, cash, "Welch"),
        _lift_row(
            "Revenue per customer, CUPED",
            m.cuped.lift if m.cuped else None,
            cash,
            f"variance {max(m.cuped.variance_reduction, 0.0):.0%} lower" if m.cuped else "",
        ),
        _lift_row("Customers who ordered", m.conversion, points),
        _lift_row("Average order value", m.aov, cash, "delta method"),
        _lift_row("Units per order", m.units_per_order, hundredths, "delta method"),
        _lift_row("Refund rate", m.refund_rate, points, "lower is better"),
        _lift_row("Satisfaction (1-5)", report.satisfaction, hundredths),
    ]
    return (
        ["metric", "treated", "held out", "lift", "95% CI", "relative", "p", "note"],
        [row for row in rows if row is not None],
    )
