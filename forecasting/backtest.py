"""Replay the forecast at past month starts and score it against what then happened.

At the first day of each month the run forecasts that month (horizon 1) and the next two
(horizons 2 and 3), from deal history as it stood that evening. Each method is scored on the
months now complete, for the company and for every rep, on the points every method can
forecast (the same-month-last-year baseline needs a year of history):

- pipeline: closed plus open deals weighted by learned win probabilities;
- time series: the monthly forecaster on the scope's revenue history;
- blend: the number the run publishes (weighted by the earlier replays' errors);
- naive last value: the last complete month's revenue;
- naive same month: the same month a year earlier.

MAPE skips months without revenue (no percentage of nothing); WAPE is the total absolute
error over total revenue; MASE divides each error by the mean month-to-month change of the
scope's history before the forecast (errors where history never changed are left out).
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import TruncMonth

from core.periods import add_months
from forecasting.blending import TrackPoint
from forecasting.models import ScopeKind
from forecasting.services import forecast_compute
from pipeline.models import Deal, StageKind

METHODS = ("pipeline", "time series", "blend", "naive last value", "naive same month")
LEVELS = (ScopeKind.COMPANY, ScopeKind.REP)


@dataclass(frozen=True)
class Score:
    level: str
    horizon: int
    method: str
    points: int
    mape: float | None
    wape: float | None
    mase: float | None


def monthly_revenue() -> dict[tuple[str, str], dict[date, float]]:
    """Won revenue per month as the data stands today, for the company and each rep credited."""
    rows = (
        Deal.objects.filter(status=StageKind.WON, closed_on__isnull=False)
        .annotate(month=TruncMonth("closed_on"))
        .values("closed_owner_id", "month")
        .annotate(total=Sum("amount"))
    )
    revenue: dict[tuple[str, str], dict[date, float]] = defaultdict(lambda: defaultdict(float))
    for row in rows:
        month = row["month"]
        month = month.date() if hasattr(month, "date") and callable(month.date) else month
        amount = float(row["total"] or 0)
        revenue[ScopeKind.COMPANY, ""][month] += amount
        if row["closed_owner_id"] is not None:
            revenue[ScopeKind.REP, str(row["closed_owner_id"])][month] += amount
    return revenue


def _scale(history: dict[date, float], before: date) -> float | None:
    """Mean absolute month-to-month change of the months before `before`."""
    months = sorted(m for m in history if m < before)
    if not months:
        return None
    values, month = [], months[0]
    while month < before:
        values.append(history.get(month, 0.0))
        month = add_months(month, 1)
    changes = [abs(b - a) for a, b in zip(values, values[1:], strict=False)]
    mean = sum(changes) / len(changes) if changes else 0.0
    return mean or None


def _points(as_of: date, lines, revenue, last_complete: date, yearly: bool) -> list[tuple]:
    """(level, horizon, method, forecast, actual, scale) for one as-of date."""
    points = []
    for line in lines:
        scope = line.scope
        if scope.kind not in LEVELS or line.period_kind != "month":
            continue
        month = line.period_start
        horizon = (month.year - as_of.year) * 12 + month.month - as_of.month + 1
        if month > last_complete:
            continue
        history = revenue.get((scope.kind, scope.key), {})
        if not history or (yearly and min(history) > add_months(month, -12)):
            continue  # no year of history behind it: the yearly baseline means nothing
        values = line.values
        forecasts = {
            "pipeline": values["weighted_pipeline"],
            "time series": values["ts_point"],
            "blend": values["blended"],
            "naive last value": history.get(add_months(as_of, -1), 0.0),
            "naive same month": history.get(add_months(month, -12), 0.0),
        }
        if not yearly:
            del forecasts["naive same month"]
        if forecasts["time series"] is None:
            continue
        actual = history.get(month, 0.0)
        scale = _scale(history, as_of)
        for method, forecast in forecasts.items():
            points.append((scope.kind, horizon, method, float(forecast), actual, scale))
    return points


def _track(as_of: date, lines) -> list[TrackPoint]:
    return [
        TrackPoint(
            (line.scope.kind, line.scope.key),
            line.period_start,
            (line.period_start.year - as_of.year) * 12 + line.period_start.month - as_of.month,
            float(line.values["weighted_pipeline"]),
            float(line.values["ts_point"]),
        )
        for line in lines
        if line.period_kind == "month" and line.values["ts_point"] is not None
    ]


def _score(level: str, horizon: int, method: str, rows: list[tuple]) -> Score:
    errors = [abs(f - a) for f, a, _ in rows]
    actual_total = sum(abs(a) for _, a, _ in rows)
    pct = [abs(f - a) / abs(a) for f, a, _ in rows if a]
    scaled = [abs(f - a) / s for f, a, s in rows if s]
    return Score(
        level=level,
        horizon=horizon,
        method=method,
        points=len(rows),
        mape=100 * sum(pct) / len(pct) if pct else None,
        wape=100 * sum(errors) / actual_total if actual_total else None,
        mase=sum(scaled) / len(scaled) if scaled else None,
    )


def backtest_run(
    *,
    first: date,
    last: date,
    today: date,
    yearly: bool = True,
    progress: Callable[[date], None] | None = None,
) -> list[Score]:
    """Scores per level, horizon and method for as-of dates on each month start in
    [first, last], over the months complete before `today`. Without `yearly` the same-month
    baseline is left out, for data with under two years of revenue."""
    revenue = monthly_revenue()
    last_complete = add_months(date(today.year, today.month, 1), -1)
    as_of = date(first.year, first.month, 1)
    if as_of < first:
        as_of = add_months(as_of, 1)
    grouped: dict[tuple[str, int, str], list] = defaultdict(list)
    track: list[TrackPoint] = []  # the replays so far weigh the blend, as stored runs do
    while as_of <= last:
        lines, _ = forecast_compute(as_of=as_of, track=track)
        track += _track(as_of, lines)
        for level, horizon, method, f, a, s in _points(
            as_of, lines, revenue, last_complete, yearly
        ):
            grouped[level, horizon, method].append((f, a, s))
        if progress:
            progress(as_of)
        as_of = add_months(as_of, 1)
    order = {m: i for i, m in enumerate(METHODS)}
    keys = sorted(grouped, key=lambda k: (LEVELS.index(k[0]), k[1], order[k[2]]))
    return [_score(*key, grouped[key]) for key in keys]


def money(value: float | Decimal | None) -> str:
    return "—" if value is None else f"{value:.1f}"
