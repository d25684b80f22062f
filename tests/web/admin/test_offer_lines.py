"""The offers page's rows keep every figure of the CSV's row, grouped (issue 22 dashboard)."""

from __future__ import annotations

from tactful.domain.measurement.offers import OfferOutcome
from tactful.services.dashboard import OffersReport
from tactful.services.ports.dashboard import OfferStats
from tactful.web.admin.offer_views import offer_lines, offers_table


def _report(measured: bool) -> OffersReport:
    stats = [OfferStats("MUG", "Enamel mug", "cross_sell", "post_purchase", 120, 30, 20, 6, 12,
                        14400, 1200, 1)]  # fmt: skip
    outcomes = [OfferOutcome("cross_sell", "MUG", "post_purchase", 120, 30, 20, 6, 12, 52, 13200)]
    return OffersReport(
        stats,
        outcomes if measured else None,
        {"MUG": "Enamel mug"},
        "GBP",
        7.0 if measured else None,
    )


def test_every_figure_of_the_csv_row_is_on_the_page_row() -> None:
    for measured in (True, False):
        report = _report(measured)
        (line,) = offer_lines(report)
        headers, (row,) = offers_table(report)
        on_page = {str(value) for value in vars(line).values() if value is not None} | {
            f"{line.shown:,}"
        }
        figures = dict(zip(headers, row, strict=True))
        for header, value in figures.items():
            if header.startswith("net revenue"):
                assert line.net_revenue == f"£{value:,.2f}"
            elif header == "declined" and not measured:
                assert line.declined == value
            else:
                assert str(value).replace("_", " ") in on_page, (measured, header, value)
        assert (line.name, line.kind, line.moment) == ("Enamel mug", "cross sell", "post purchase")
    assert offer_lines(_report(True))[0].ignored == 52
    assert offer_lines(_report(False))[0].declined == 26  # declined and dismissed, as logged
