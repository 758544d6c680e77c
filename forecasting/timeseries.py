"""Monthly forecaster: a list of monthly values in, point forecasts and intervals out.

With two years of months or more: test for yearly seasonality (autocorrelation at lag 12, 90%),
remove it by classical multiplicative decomposition, average simple, damped-trend and Theta
exponential smoothing on the adjusted series, and put the seasonality back. That combination
beats the M3 competition's best monthly methods (see bench/forecast_m3.py). Shorter series get
simpler models: the same combination without seasonality, seasonal naive, or the last value.
Pure functions over numbers; nothing here knows Django.
"""

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from statsmodels.tsa.holtwinters import Holt, SimpleExpSmoothing
from statsmodels.tsa.seasonal import seasonal_decompose
from statsmodels.tsa.stattools import acf

SEASON = 12
FULL_HISTORY = 2 * SEASON  # months needed for trend and seasonality
Z80, Z95 = 1.2816, 1.9600


@dataclass(frozen=True)
class Forecast:
    method: str
    point: list[float]
    lower80: list[float]
    upper80: list[float]
    lower95: list[float]
    upper95: list[float]


def is_seasonal(values: np.ndarray, period: int = SEASON) -> bool:
    """The M3/M4 benchmark test: |r_period| beyond its 90% limit under no seasonality."""
    if len(values) < period + 2 or np.ptp(values) == 0:
        return False
    r = acf(values, nlags=period, fft=False)
    limit = 1.645 * np.sqrt((1 + 2 * np.sum(r[1:period] ** 2)) / len(values))
    return bool(abs(r[period]) > limit)


def seasonal_indices(values: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray, bool]:
    """(in-sample, out-of-sample) seasonal factors; multiplicative when all values are positive."""
    multiplicative = bool(np.all(values > 0))
    model = "multiplicative" if multiplicative else "additive"
    seasonal = seasonal_decompose(values, model=model, period=SEASON).seasonal
    last_cycle = seasonal[-SEASON:]
    ahead = np.resize(last_cycle, horizon)
    return seasonal, ahead, multiplicative


def smoothing_combination(values: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean of SES, Holt damped and Theta forecasts; also the sd of each horizon's error."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ses = SimpleExpSmoothing(values, initialization_method="estimated").fit()
        damped = Holt(values, damped_trend=True, initialization_method="estimated").fit()
    alpha = min(max(float(ses.params["smoothing_level"]), 1e-3), 1.0)
    steps = np.arange(1, horizon + 1)
    ses_point = ses.forecast(horizon)
    # Theta(0, 2): SES plus half the slope of the linear trend (Hyndman & Billah, 2003).
    slope = np.polyfit(np.arange(len(values)), values, 1)[0]
    drift = 0.5 * slope * (steps - 1 + 1 / alpha - (1 - alpha) ** len(values) / alpha)
    point = (ses_point + damped.forecast(horizon) + ses_point + drift) / 3
    fitted = (ses.fittedvalues + damped.fittedvalues) / 2
    sigma = float(np.sqrt(np.mean((values - fitted)[1:] ** 2))) if len(values) > 1 else 0.0
    # Error variance of an ANN state-space model h steps ahead: sigma^2 (1 + (h-1) alpha^2).
    spread = sigma * np.sqrt(1 + (steps - 1) * alpha**2)
    return point, spread


def seasonal_naive(values: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    point = np.resize(values[-SEASON:], horizon)
    errors = values[SEASON:] - values[:-SEASON]
    sigma = float(np.sqrt(np.mean(errors**2))) if len(errors) else 0.0
    cycles = np.arange(horizon) // SEASON + 1
    return point, sigma * np.sqrt(cycles)


def season_explains_it(values: np.ndarray) -> bool:
    """For 13-23 months, where the autocorrelation test has too few pairs: does the same month
    last year predict the recent months at least twice as well as the month before?"""
    yearly = np.abs(values[SEASON:] - values[:-SEASON]).mean()
    monthly = np.abs(np.diff(values)[SEASON - 1 :]).mean()
    return bool(yearly * 2 < monthly)


def naive(values: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    point = np.full(horizon, values[-1])
    errors = np.diff(values)
    sigma = float(np.sqrt(np.mean(errors**2))) if len(errors) else 0.0
    return point, sigma * np.sqrt(np.arange(1, horizon + 1))


def _combination_with_seasonality(values: np.ndarray, horizon: int):
    if not is_seasonal(values):
        return "ses+damped+theta", *smoothing_combination(values, horizon)
    seasonal, ahead, multiplicative = seasonal_indices(values, horizon)
    if multiplicative:
        point, spread = smoothing_combination(values / seasonal, horizon)
        return "seasonal ses+damped+theta", point * ahead, spread * ahead
    point, spread = smoothing_combination(values - seasonal, horizon)
    return "seasonal ses+damped+theta", point + ahead, spread


def _choose(values: np.ndarray, horizon: int):
    if len(values) >= FULL_HISTORY:
        return _combination_with_seasonality(values, horizon)
    if len(values) > SEASON and season_explains_it(values):
        return "seasonal naive", *seasonal_naive(values, horizon)
    if len(values) >= 4:
        return "ses+damped+theta", *smoothing_combination(values, horizon)
    return "naive", *naive(values, horizon)


def forecast_monthly(values: Sequence[float], horizon: int) -> Forecast:
    """Forecast the next `horizon` months of a monthly series, oldest value first.

    Returns the chosen method's name, the point forecasts and the 80% and 95% prediction
    intervals. A series that never went below zero (revenue) is never forecast below zero.
    """
    series = np.asarray(values, dtype=float)
    if len(series) == 0 or horizon < 1:
        raise ValueError("A forecast needs at least one past month and a horizon of 1 or more.")
    method, point, spread = _choose(series, horizon)
    floor = 0.0 if series.min() >= 0 else -np.inf
    spread = np.abs(spread)

    def bound(values: np.ndarray) -> list[float]:
        return [float(v) for v in np.maximum(values, floor)]

    return Forecast(
        method=method,
        point=bound(point),
        lower80=bound(point - Z80 * spread),
        upper80=bound(point + Z80 * spread),
        lower95=bound(point - Z95 * spread),
        upper95=bound(point + Z95 * spread),
    )
