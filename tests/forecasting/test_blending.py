from datetime import date
from decimal import Decimal

import pytest

from forecasting.blending import TrackPoint, Weight, blend, blend_weights

COMPANY = ("company", "")
MONTHS = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
ACTUALS = {COMPANY: {month: Decimal(110) for month in MONTHS}}


def track(months) -> list[TrackPoint]:
    return [TrackPoint(COMPANY, month, 0, 100.0, 130.0) for month in months]


def test_the_method_with_the_smaller_past_error_weighs_more():
    weights = blend_weights(track(MONTHS), ACTUALS, this_month=date(2026, 4, 1))
    # Pipeline missed by 10 three times, the time series by 20: 60 / (30 + 60) to the pipeline.
    assert weights[0].months == 3
    assert weights[0].pipeline == pytest.approx(2 / 3)
    number, method = blend(Decimal(100), Decimal(0), Decimal(130), weights[0])
    assert number == Decimal("109.90")  # 0.67 x 100 + 0.33 x 130
    assert method == "0.67 pipeline + 0.33 time series, by their errors over 3 past months"


def test_without_three_complete_months_both_weigh_the_same():
    # With March the current month, only January and February are complete.
    assert blend_weights(track(MONTHS), ACTUALS, this_month=date(2026, 3, 1)) == {}
    number, method = blend(Decimal(100), Decimal(0), Decimal(130), None)
    assert (number, method) == (Decimal("115.00"), "mean of pipeline and time series")


def test_the_blend_never_falls_below_closed_revenue_and_needs_a_series():
    number, method = blend(Decimal(100), Decimal(120), Decimal(90), Weight(0.5, 4))
    assert number == Decimal("120.00")
    assert method.startswith("closed to date")
    assert blend(Decimal(80), Decimal(0), None, None) == (
        Decimal("80.00"),
        "pipeline only: no revenue history",
    )
