"""The fits reproduce the published CDNOW parameters, from the summary and from raw purchases."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from tactful.domain.lifetime import (
    CustomerSummary,
    fit_bgnbd,
    fit_gamma_gamma,
    predict_values,
    summarise,
)

CDNOW = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "cdnow"
if not CDNOW.is_dir():
    CDNOW = Path("/work/shared/data/cdnow")
EPOCH = date(1997, 1, 1)
CALIBRATION_END = (date(1997, 9, 30) - EPOCH).days

pytestmark = pytest.mark.skipif(not CDNOW.is_dir(), reason="shared CDNOW data not present")


def published_summary() -> CustomerSummary:
    table = np.loadtxt(
        CDNOW / "cdnow_customers_summary_with_transactions.csv", delimiter=",", skiprows=1
    )
    return CustomerSummary.from_columns(table[:, 1], table[:, 2], table[:, 3], table[:, 4])


def sample_purchases() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(customer, day since 1997-01-01, dollars) of every purchase of the 2,357-customer sample."""
    customers, days, values = [], [], []
    for line in (CDNOW / "CDNOW_sample.txt").read_text().splitlines():
        _, sample_id, ymd, _, dollars = line.split()
        customers.append(int(sample_id))
        days.append((date(int(ymd[:4]), int(ymd[4:6]), int(ymd[6:])) - EPOCH).days)
        values.append(float(dollars))
    return np.array(customers), np.array(days), np.array(values)


def test_bgnbd_reproduces_fader_hardie_lee() -> None:
    fitted = fit_bgnbd(published_summary())
    assert (fitted.r, fitted.alpha, fitted.a, fitted.b) == pytest.approx(
        (0.243, 4.414, 0.793, 2.426), abs=0.005
    )
    assert fitted.log_likelihood == pytest.approx(-9582.43, abs=0.01)


def test_fits_on_raw_purchases_give_the_published_figures_to_two_decimals() -> None:
    customers, days, values = sample_purchases()
    summary = summarise(customers, days, values, calibration_end=CALIBRATION_END)
    purchases, spend = fit_bgnbd(summary), fit_gamma_gamma(summary)
    fitted = [purchases.r, purchases.alpha, purchases.a, purchases.b, spend.p, spend.q, spend.gamma]
    published = [0.243, 4.414, 0.793, 2.426, 6.25, 3.74, 15.44]
    assert [round(v, 2) for v in fitted] == [round(v, 2) for v in published]


def test_gamma_gamma_on_the_published_table() -> None:
    """Its zbar column is rounded to cents, which moves gamma by 0.004 from the paper's 15.44."""
    fitted = fit_gamma_gamma(published_summary())
    assert (fitted.p, fitted.q, fitted.gamma) == pytest.approx((6.25, 3.74, 15.44), abs=0.01)


def test_summary_from_raw_purchases_matches_the_published_table() -> None:
    customers, days, values = sample_purchases()
    built = summarise(customers, days, values, calibration_end=CALIBRATION_END)
    published = published_summary()
    assert built.size == published.size == 2357
    np.testing.assert_array_equal(built.customers, np.arange(1, 2358))
    np.testing.assert_array_equal(built.frequency, published.frequency)
    np.testing.assert_allclose(built.recency, published.recency, atol=0.005)
    np.testing.assert_allclose(built.age, published.age, atol=0.005)
    np.testing.assert_allclose(built.monetary, published.monetary, atol=0.005)


def test_holdout_forecast_is_close_to_what_customers_did() -> None:
    """Weeks 40-78: the predicted repeat purchases are within 15% of the actual ones."""
    customers, days, values = sample_purchases()
    summary = summarise(customers, days, values, calibration_end=CALIBRATION_END)
    values_ahead = predict_values(
        fit_bgnbd(summary), fit_gamma_gamma(summary), summary, horizon=39.0
    )
    later = days > CALIBRATION_END
    actual = len(set(zip(customers[later], days[later], strict=True)))
    assert values_ahead.expected_purchases.sum() == pytest.approx(actual, rel=0.15)
