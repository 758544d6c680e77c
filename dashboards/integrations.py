"""What the dashboards read from forecasting runs and imports, shaped for the pages.

Each function answers None when there is nothing yet; the pages then show an empty state that
says how to get data.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.urls import reverse

from dashboards import forecasts
from dashboards.filters import Filters
from forecasting import selectors as forecasting
from forecasting.models import ScopeKind
from org.models import User
from pipeline.models import ImportRun, ImportStatus

RUN_FORECAST = "python manage.py run_forecast"


@dataclass(frozen=True)
class ForecastPoint:
    month: date  # first day of the month forecast
    predicted: Decimal
    lower: Decimal | None  # the interval's bounds (e.g. 80 %); None when the run left them out
    upper: Decimal | None


@dataclass(frozen=True)
class LatestForecast:
    made_at: datetime
    method: str  # e.g. "ETS", shown under the chart
    interval: str  # e.g. "80 %"
    points: list[ForecastPoint]
    weighted_by_scores: bool = False  # the weighted pipeline used deal scores, not stage rates


def latest_forecast(user: User, filters: Filters) -> LatestForecast | None:
    """The latest forecast run's months for what the page shows: the user's headline scope,
    or the rep, manager's tree or territory chosen in the filters. None: no run yet, or the
    filters cut by product or segment, which forecasts are not made for."""
    if filters.product is not None or filters.segment is not None:
        return None
    lines = list(forecasts.latest_forecast(user, scope=_forecast_scope(filters)))
    if not lines:
        return None
    points = [
        ForecastPoint(line.period_start, line.ts_point, line.ts_low80, line.ts_high80)
        for line in lines
        if line.ts_point is not None
    ]
    first = lines[0]
    assert first.run.finished_at is not None  # only succeeded runs are read, all finished
    return LatestForecast(
        first.run.finished_at, first.method, "80 %", points, first.run.weighted_by_scores
    )


def _forecast_scope(filters: Filters) -> tuple[str, str] | None:
    if filters.rep is not None:
        return ScopeKind.REP, str(filters.rep.pk)
    if filters.team is not None and filters.team.manager_id:
        return ScopeKind.MANAGER, str(filters.team.manager_id)
    if filters.territory is not None:
        return ScopeKind.TERRITORY, str(filters.territory.pk)
    return None


@dataclass(frozen=True)
class ForecastHealth:
    last_run: datetime | None
    stale: bool  # older than the newest data it should have seen
    note: str


def forecast_health(today: date) -> ForecastHealth | None:
    """For the data-health page: when forecasts last ran and whether that is over a day ago;
    None: no forecasting runs yet."""
    run = forecasting.forecast_run_latest()
    if run is None:
        return None
    stale = (today - run.as_of).days > 1
    note = f"as of {run.as_of.isoformat()}" + (", stale" if stale else ", up to date")
    return ForecastHealth(run.finished_at, stale, note)


@dataclass(frozen=True)
class LastImport:
    at: datetime
    source: str  # file name or connector
    rows: int
    errors: int
    url: str | None = None  # the import's page


def last_import() -> LastImport | None:
    """The latest applied or tried import with its row and error counts and its page."""
    run = (
        ImportRun.objects.exclude(status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING])
        .order_by("-started_at")
        .first()
    )
    if run is None:
        return None
    at = run.finished_at or run.started_at
    url = reverse("imports:run", args=[run.pk])
    return LastImport(at, f"{run.file_name} ({run.kind})", run.rows, run.error_count, url)
