"""Managers' past calls: for each of the last 12 complete months and 4 complete quarters, each
manager's call for their tree, made on the period's tenth day. Each manager has a habit (some
sandbag, some hope), and every call misses what was then won by a little more or less."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.db.models.functions import TruncMonth

from demo.context import DemoContext
from forecasting.call_accuracy import past_periods
from forecasting.models import ForecastCall, PeriodKind, ScopeKind
from org.models import Role, User
from org.selectors import reporting_tree_ids
from pipeline.crediting import credited_to_tree
from pipeline.models import Deal, StageKind

CENT = Decimal("0.01")
COMMENTS = (
    "Two large renewals are verbal; paper next week.",
    "Holding back on the enterprise deal until legal signs.",
    "Pipeline is thin late in the period; calling it safe.",
    "Strong close expected from the new reps.",
    "One slip risk in procurement; the rest is solid.",
)


def _won_by_month(manager: User, first: date, end: date) -> dict[date, Decimal]:
    tree = reporting_tree_ids([manager.pk])
    rows = (
        Deal.objects.filter(credited_to_tree(manager.pk, tree), status=StageKind.WON)
        .filter(closed_on__gte=first, closed_on__lt=end)
        .annotate(month=TruncMonth("closed_on"))
        .values("month")
        .annotate(total=Sum("amount"))
    )
    return {row["month"]: row["total"] or Decimal(0) for row in rows}


def _periods(ctx: DemoContext) -> list[tuple[str, date, date]]:
    """(kind, start, end) of the complete months and quarters the accuracy panel looks at."""
    return [
        (kind, period.start, period.end)
        for kind in (PeriodKind.MONTH, PeriodKind.QUARTER)
        for period in past_periods(kind, ctx.today)
    ]


def calls_create(ctx: DemoContext) -> int:
    rng = ctx.rng("calls")
    periods = _periods(ctx)
    first, end = min(p[1] for p in periods), ctx.today.replace(day=1)
    calls = []
    for manager in User.objects.filter(role=Role.MANAGER).order_by("pk"):
        won = _won_by_month(manager, first, end)
        habit = rng.uniform(-0.15, 0.1)
        for kind, start, stop in periods:
            actual = sum((v for month, v in won.items() if start <= month < stop), Decimal(0))
            commit = max(Decimal(0), actual * Decimal(1 + habit + rng.gauss(0, 0.1)))
            calls.append(
                ForecastCall(
                    scope_kind=ScopeKind.MANAGER,
                    scope_key=str(manager.pk),
                    period_kind=kind,
                    period_start=start,
                    amount=commit.quantize(CENT),
                    best_case=(commit * Decimal(1 + rng.uniform(0.1, 0.3))).quantize(CENT),
                    currency=settings.DEFAULT_CURRENCY,
                    comment=rng.choice(COMMENTS),
                    made_by=manager,
                    made_at=ctx.at(start.replace(day=10), 9 * 60 + rng.randrange(480)),
                )
            )
    ForecastCall.objects.bulk_create(calls)
    return len(calls)
