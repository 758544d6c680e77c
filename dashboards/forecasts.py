"""A person's forecast: the latest run's lines for their scope, and past forecasts against what
was then won."""

from datetime import date, datetime
from decimal import Decimal

from django.db.models import F, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

import access
from core.periods import add_months
from forecasting.models import ForecastLine, PeriodKind, RunStatus
from forecasting.selectors import ForecastOutcome, forecast_run_latest
from org.models import User
from pipeline.models import StageKind


def latest_forecast(
    user: User,
    period_kind: str = PeriodKind.MONTH,
    scope: tuple[str, str] | None = None,
) -> QuerySet[ForecastLine]:
    """The latest successful run's lines for `user`'s headline scope (or for `scope`, a
    (scope_kind, scope_key) pair the user may see), one per period, current period first.

    Empty when no run succeeded yet or the scope is not the user's to see.
    """
    run = forecast_run_latest()
    scope = scope or access.forecast_headline_scope(user)
    if run is None or scope is None:
        return ForecastLine.objects.none()
    return (
        access.visible_forecast_lines(user)
        .filter(run=run, period_kind=period_kind, scope_kind=scope[0], scope_key=scope[1])
        .order_by("period_start")
    )


def forecast_vs_actual(
    user: User, months: int = 6, today: date | None = None
) -> list[ForecastOutcome]:
    """For the user's headline scope and each of the last `months` complete months (before
    `today`, by default the real one) that a run forecast: what the month's first run said,
    against the revenue won in that month."""
    scope = access.forecast_headline_scope(user)
    this_month = (today or timezone.localdate()).replace(day=1)
    first = add_months(this_month, -months)
    if scope is None:
        return []
    lines = (
        access.visible_forecast_lines(user)
        .filter(
            run__status=RunStatus.SUCCEEDED,
            scope_kind=scope[0],
            scope_key=scope[1],
            period_kind=PeriodKind.MONTH,
            period_start__gte=first,
            period_start__lt=this_month,
            run__as_of__gte=F("period_start"),
        )
        .select_related("run")
        .order_by("period_start", "run__as_of")
    )
    won = (
        access.visible_deals(user)
        .filter(status=StageKind.WON, closed_on__gte=first, closed_on__lt=this_month)
        .annotate(month=TruncMonth("closed_on"))
        .values("month")
        .annotate(total=Sum("amount"))
    )
    actual = {_day(row["month"]): row["total"] or Decimal(0) for row in won}
    outcomes: dict[date, ForecastOutcome] = {}
    for line in lines:
        if line.period_start in outcomes or line.run.as_of >= add_months(line.period_start, 1):
            continue
        outcomes[line.period_start] = ForecastOutcome(
            month=line.period_start,
            as_of=line.run.as_of,
            blended=line.blended,
            weighted_pipeline=line.weighted_pipeline,
            ts_point=line.ts_point,
            actual=actual.get(line.period_start, Decimal(0)),
            call=line.call,
        )
    return list(outcomes.values())


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value
