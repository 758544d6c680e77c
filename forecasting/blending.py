"""The blended number: pipeline and time series, weighted by how each has done lately.

Each method's weight is the inverse of its absolute error over the months that past runs
forecast and that are now complete, pooled over scopes, separately for the current period
and one and two periods ahead (runs made on a month's first day count). Until three such
months exist, both weigh the same. The blend never falls below revenue already closed.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import cast

from core.periods import add_months
from forecasting.models import ForecastLine, PeriodKind, RunStatus

MIN_TRACK_MONTHS = 3
TRACK_MONTHS = 12
CENT = Decimal("0.01")


@dataclass(frozen=True)
class TrackPoint:
    """What a past run said about one scope and month: `index` 0 is the run's own month."""

    scope: tuple[str, str]
    period_start: date
    index: int
    pipeline: float
    series: float


@dataclass(frozen=True)
class Weight:
    pipeline: float  # the time series gets the rest
    months: int


def track_from_runs(as_of: date) -> list[TrackPoint]:
    """Month lines of the successful runs made on month starts in the year before `as_of`."""
    first = add_months(date(as_of.year, as_of.month, 1), -TRACK_MONTHS)
    rows = ForecastLine.objects.filter(
        run__status=RunStatus.SUCCEEDED,
        run__as_of__gte=first,
        run__as_of__lt=as_of,
        run__as_of__day=1,
        period_kind=PeriodKind.MONTH,
        ts_point__isnull=False,
    ).values_list(
        "scope_kind", "scope_key", "period_start", "run__as_of", "weighted_pipeline", "ts_point"
    )
    return [
        TrackPoint(
            (kind, key), start, _months_between(run_as_of, start), float(p), float(cast(Decimal, t))
        )
        for kind, key, start, run_as_of, p, t in rows
    ]


def _months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def blend_weights(
    track: list[TrackPoint], actuals: dict[tuple[str, str], dict[date, Decimal]], this_month: date
) -> dict[int, Weight]:
    """Per period index, the pipeline's weight from the errors of past forecasts of months
    complete before `this_month`; `actuals` is each scope's revenue per month."""
    errors: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    months: dict[int, set[date]] = defaultdict(set)
    for point in track:
        if point.period_start >= this_month:
            continue
        actual = float(actuals.get(point.scope, {}).get(point.period_start, 0))
        errors[point.index][0] += abs(point.pipeline - actual)
        errors[point.index][1] += abs(point.series - actual)
        months[point.index].add(point.period_start)
    weights = {}
    for index, (pipeline_error, series_error) in errors.items():
        if len(months[index]) >= MIN_TRACK_MONTHS and pipeline_error + series_error > 0:
            # Inverse-error weights: 1/e_p / (1/e_p + 1/e_t) = e_t / (e_p + e_t).
            share = series_error / (pipeline_error + series_error)
            weights[index] = Weight(share, len(months[index]))
    return weights


def blend(
    weighted: Decimal, closed: Decimal, series_point: Decimal | None, weight: Weight | None
) -> tuple[Decimal, str]:
    """The blended number and how it was made."""
    if series_point is None:
        return weighted.quantize(CENT), "pipeline only: no revenue history"
    if weight is None:
        number = (weighted + series_point) / 2
        method = "mean of pipeline and time series"
    else:
        share = Decimal(str(round(weight.pipeline, 2)))
        number = share * weighted + (1 - share) * series_point
        method = (
            f"{share} pipeline + {1 - share} time series, "
            f"by their errors over {weight.months} past months"
        )
    if number < closed:
        return closed.quantize(CENT), f"closed to date (above {method})"
    return number.quantize(CENT), method
