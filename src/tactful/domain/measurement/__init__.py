"""Measurement: outcomes of offers and customers, and the statistics that compare them.

Pure: per-unit arrays or sufficient statistics in, frozen results out; no storage or web.
"""

from tactful.domain.measurement.bayes import BayesianView, bayesian_view
from tactful.domain.measurement.checks import SRM_THRESHOLD, required_sample, srm_p_value
from tactful.domain.measurement.comparison import Lift, compare_means, compare_ratios
from tactful.domain.measurement.cuped import CupedResult, compare_cuped
from tactful.domain.measurement.offers import (
    Conversion,
    FunnelRow,
    OfferOutcome,
    offer_outcomes,
    sum_outcomes,
)
from tactful.domain.measurement.outcomes import (
    SEGMENTS,
    CustomerOutcomes,
    CustomerTotals,
    Exposure,
    OrderTotal,
    customer_outcomes,
    customer_totals,
    merge_exposures,
    outcomes_from_totals,
    satisfaction_groups,
)
from tactful.domain.measurement.overview import MIN_GROUP, Overview, OverviewSettings, overview
from tactful.domain.measurement.samples import PairedStats, RatioStats, SampleStats
from tactful.domain.measurement.sequential import SequentialResult, msprt

__all__ = [
    "MIN_GROUP",
    "SEGMENTS",
    "SRM_THRESHOLD",
    "BayesianView",
    "Conversion",
    "CupedResult",
    "CustomerOutcomes",
    "CustomerTotals",
    "Exposure",
    "FunnelRow",
    "Lift",
    "OfferOutcome",
    "OrderTotal",
    "Overview",
    "OverviewSettings",
    "PairedStats",
    "RatioStats",
    "SampleStats",
    "SequentialResult",
    "bayesian_view",
    "compare_cuped",
    "compare_means",
    "compare_ratios",
    "customer_outcomes",
    "customer_totals",
    "merge_exposures",
    "msprt",
    "offer_outcomes",
    "outcomes_from_totals",
    "overview",
    "required_sample",
    "satisfaction_groups",
    "srm_p_value",
    "sum_outcomes",
]
