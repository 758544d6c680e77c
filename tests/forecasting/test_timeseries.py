import numpy as np
import pytest

from forecasting.timeseries import forecast_monthly, is_seasonal

PATTERN = [80, 90, 100, 110, 120, 150, 160, 140, 120, 100, 90, 140]


def test_a_pure_seasonal_series_is_forecast_back():
    forecast = forecast_monthly(PATTERN * 3, 12)
    assert forecast.method == "ets+theta+ces"
    assert forecast.point == pytest.approx(PATTERN, abs=0.01)


def test_a_trend_is_carried_forward():
    forecast = forecast_monthly([100 + 10 * month for month in range(30)], 3)
    assert forecast.method == "ets+theta+ces"
    # Last value 390; every model of the mix goes up from there.
    assert 390 < forecast.point[0] < forecast.point[1] < forecast.point[2] < 430


def test_a_short_seasonal_series_falls_back_to_seasonal_naive():
    history = (PATTERN * 2)[:20]
    forecast = forecast_monthly(history, 4)
    assert forecast.method == "seasonal naive"
    assert forecast.point == [120.0, 100.0, 90.0, 140.0]


def test_a_short_flat_series_falls_back_to_smoothing_without_seasonality():
    forecast = forecast_monthly([50, 52, 49, 51, 50, 48, 50, 51], 2)
    assert forecast.method == "ses+damped+theta"
    assert 48 < forecast.point[0] < 52


def test_two_months_give_the_last_value():
    forecast = forecast_monthly([10, 30], 3)
    assert forecast.method == "naive"
    assert forecast.point == [30.0, 30.0, 30.0]
    # One step error of 20: 80% band is 30 +/- 1.2816 * 20 for the first month.
    assert forecast.upper80[0] == pytest.approx(30 + 1.2816 * 20)
    assert forecast.lower80[0] == pytest.approx(30 - 1.2816 * 20)


def test_intervals_nest_80_inside_95_and_widen_with_the_horizon():
    noise = np.random.default_rng(7).normal(0, 15, 40)
    history = [200 + 3 * month + noise[month] for month in range(40)]
    f = forecast_monthly(history, 6)
    for h in range(6):
        assert f.lower95[h] < f.lower80[h] < f.point[h] < f.upper80[h] < f.upper95[h]
    widths = [hi - lo for lo, hi in zip(f.lower95, f.upper95, strict=True)]
    # A model may read a faint season into the noise: wider overall, not at every step.
    assert widths[0] == min(widths) and widths[0] < widths[-1]


def test_revenue_is_never_forecast_below_zero():
    forecast = forecast_monthly([40, 30, 20, 10, 5, 0, 0, 0], 6)
    assert min(forecast.lower95) == 0.0
    assert min(forecast.point) >= 0.0


def test_a_series_that_went_negative_may_be_forecast_negative():
    forecast = forecast_monthly([-5, -10, -15, -20, -25, -30], 2)
    assert forecast.point[0] < 0


def test_a_model_that_cannot_fit_is_left_out_of_the_mean(monkeypatch):
    from forecasting import timeseries

    class Broken:
        def __init__(self, season_length):
            pass

        def forecast(self, **kwargs):
            raise ValueError("no fit")

    history = PATTERN * 3
    monkeypatch.setattr(timeseries, "AutoCES", Broken)
    without_ces = forecast_monthly(history, 12)
    monkeypatch.setattr(timeseries, "AutoETS", Broken)
    monkeypatch.setattr(timeseries, "DynamicOptimizedTheta", Broken)
    nothing_fits = forecast_monthly(history, 12)
    assert without_ces.method == nothing_fits.method == "ets+theta+ces"
    assert without_ces.point == pytest.approx(PATTERN, abs=0.01)
    # With no model left, the smoothing average on the raw series: flat, not the pattern.
    assert max(nothing_fits.point) - min(nothing_fits.point) < 1


def test_no_history_is_refused():
    with pytest.raises(ValueError):
        forecast_monthly([], 3)


def test_seasonality_test_tells_a_cycle_from_noise():
    assert is_seasonal(np.array(PATTERN * 4, dtype=float))
    flat = np.random.default_rng(1).normal(100, 5, 48)
    assert not is_seasonal(flat)


def test_a_flat_series_stays_flat_with_no_spread():
    forecast = forecast_monthly([0.0] * 30, 3)
    assert forecast.method == "naive"
    assert forecast.point == forecast.lower95 == forecast.upper95 == [0.0, 0.0, 0.0]


def test_a_year_of_months_is_smoothed_by_the_compiled_models():
    # A year around 100 with no trend: every smoother stays near the level.
    history = [100, 104, 97, 102, 99, 103, 96, 101, 105, 98, 100, 102]
    forecast = forecast_monthly(history, 3)
    assert forecast.method == "ses+damped+theta"
    assert all(95 < point < 105 for point in forecast.point)
    assert forecast.lower80[0] < forecast.point[0] < forecast.upper80[0]
