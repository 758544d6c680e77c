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
    call: Decimal | None = None  # the scope's own call in force then, when one was made


ACCURACY_METHODS = ("blended", "weighted_pipeline", "ts_point", "call")


@dataclass(frozen=True)
class Accuracy:
    months: int  # months the method forecast
    mape: Decimal | None  # mean of |forecast - actual| / actual over months with revenue
    wape: Decimal | None  # sum |forecast - actual| / sum actual


def forecast_accuracy(outcomes: list[ForecastOutcome]) -> dict[str, Accuracy]:
    """MAPE and WAPE of each method over the outcomes (None without revenue, or for a method
    that forecast none of the months, as calls are where nobody made one)."""
    scores: dict[str, Accuracy] = {}
    for method in ACCURACY_METHODS:
        pairs = [(getattr(o, method), o.actual) for o in outcomes if getattr(o, method) is not None]
        actual = sum((a for _, a in pairs), Decimal(0))
        error = sum((abs(f - a) for f, a in pairs), Decimal(0))
        ratios = [abs(f - a) / a for f, a in pairs if a]
        mape = sum(ratios, Decimal(0)) / len(ratios) if ratios else None
        scores[method] = Accuracy(len(pairs), mape, error / actual if pairs and actual else None)
    return scores
