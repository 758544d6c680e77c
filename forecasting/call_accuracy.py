"""How close managers' calls came to what closed: each period's standing call (the latest made
before the period ended) against the revenue won in it, as MAPE and WAPE."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet, Sum

from core.periods import Period, add_months, local_midnight, period_containing
from forecasting.models import ForecastCall
from pipeline.models import Deal, StageKind

PERIODS_BACK = {"month": 12, "quarter": 4}


@dataclass(frozen=True)
class CalledPeriod:
    period: Period
    call: Decimal
    actual: Decimal


@dataclass(frozen=True)
class CallAccuracy:
    periods: list[CalledPeriod]

    @property
    def mape(self) -> Decimal | None:
        """Mean of |call - actual| / actual over the periods with revenue."""
        errors = [abs(p.call - p.actual) / p.actual for p in self.periods if p.actual]
        return sum(errors, Decimal(0)) / len(errors) if errors else None

    @property
    def wape(self) -> Decimal | None:
        """Sum of |call - actual| over the sum of actual."""
        actual = sum((p.actual for p in self.periods), Decimal(0))
        if not actual:
            return None
        return sum((abs(p.call - p.actual) for p in self.periods), Decimal(0)) / actual


def past_periods(kind: str, today: date) -> list[Period]:
    """The last complete months (12) or quarters (4) before the one containing `today`."""
    current = period_containing(today, kind)
    step = 1 if kind == "month" else 3
    return [
        period_containing(add_months(current.start, -step * back), kind)
        for back in range(PERIODS_BACK[kind], 0, -1)
    ]


def call_accuracy(
    calls: QuerySet[ForecastCall], won: QuerySet[Deal], kind: str, today: date
) -> CallAccuracy:
    """`calls` of one scope against `won`, that scope's (already scoped) deals, over the
    complete periods of `kind` before `today` that had a call."""
    periods = past_periods(kind, today)
    standing: dict[date, Decimal] = {}
    rows = calls.filter(period_kind=kind, period_start__in=[p.start for p in periods])
    for call in rows.order_by("made_at", "id"):
        end = period_containing(call.period_start, kind).end
        if call.made_at < local_midnight(end):
            standing[call.period_start] = call.amount
    result = []
    for period in periods:
        if period.start in standing:
            actual = won.filter(
                status=StageKind.WON, closed_on__gte=period.start, closed_on__lt=period.end
            ).aggregate(total=Sum("amount"))["total"]
            result.append(CalledPeriod(period, standing[period.start], actual or Decimal(0)))
    return CallAccuracy(result)
