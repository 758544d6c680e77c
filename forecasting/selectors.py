"""Reads over forecast runs: the latest one, and the accuracy of past forecasts."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from forecasting.models import ForecastRun, RunStatus


def forecast_run_latest() -> ForecastRun | None:
    """The latest successful run (by as-of date, then by when it ran)."""
    runs = ForecastRun.objects.filter(status=RunStatus.SUCCEEDED)
    return runs.order_by("-as_of", "-started_at").first()


@dataclass(frozen=True)
class ForecastOutcome:
    month: date
    as_of: date  # the first run of the month: its forecast for that month
    blended: Decimal
    weighted_pipeline: Decimal
    ts_point: Decimal | None
    actual: Decimal


ACCURACY_METHODS = ("blended", "weighted_pipeline", "ts_point")


def forecast_accuracy(outcomes: list[ForecastOutcome]) -> dict[str, Decimal | None]:
    """WAPE of each method over the outcomes: sum |forecast - actual| / sum actual (None
    without revenue, or for a method that forecast none of the months)."""
    scores: dict[str, Decimal | None] = {}
    for method in ACCURACY_METHODS:
        pairs = [(getattr(o, method), o.actual) for o in outcomes if getattr(o, method) is not None]
        actual = sum((a for _, a in pairs), Decimal(0))
        error = sum((abs(f - a) for f, a in pairs), Decimal(0))
        scores[method] = error / actual if pairs and actual else None
    return scores
