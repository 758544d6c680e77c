"""Managers' calls: for each of the last 12 complete months and 4 complete quarters, each
manager's call for their tree, made on the period's tenth day. Each manager has a habit (some
sandbag, some hope), and every call misses what was then won by a little more or less. The
current month and quarter have their calls too, a first one early in the period and, once the
period is over a week old, a revision a few days ago."""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.db.models.functions import TruncMonth

from core.periods import period_containing
from demo.context import DemoContext
from forecasting.call_accuracy import past_periods
from forecasting.grid import column_q
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


def _call(ctx, rng, manager: User, kind: str, start: date, commit: Decimal, day: date):
    return ForecastCall(
        scope_kind=ScopeKind.MANAGER,
        scope_key=str(manager.pk),
        period_kind=kind,
        period_start=start,
        amount=commit.quantize(CENT),
        best_case=(commit * Decimal(1 + rng.uniform(0.1, 0.3))).quantize(CENT),
        currency=settings.DEFAULT_CURRENCY,
        comment=rng.choice(COMMENTS),
        made_by=manager,
        made_at=ctx.at(day, 9 * 60 + rng.randrange(480)),
    )


def _call_days(start: date, today: date) -> list[date]:
    """When the current period was called: early on, and again a few days ago once the
    period is over a week old."""
    elapsed = (today - start).days
    if elapsed < 1:
        return []
    first = start + timedelta(days=min(9, elapsed // 2))
    again = today - timedelta(days=3)
    return [first, again] if again >= first + timedelta(days=7) else [first]


def _current_calls(ctx, rng, manager: User, habit: float) -> list[ForecastCall]:
    """Closed plus commit in the tree now, leaned on by the manager's habit."""
    deals = Deal.objects.filter(credited_to_tree(manager.pk, reporting_tree_ids([manager.pk])))
    calls = []
    for kind in (PeriodKind.MONTH, PeriodKind.QUARTER):
        period = period_containing(ctx.today, kind)
        sure = column_q("closed", period, ctx.today) | column_q("commit", period, ctx.today)
        now = deals.filter(sure).aggregate(total=Sum("amount"))["total"] or Decimal(0)
        for day in _call_days(period.start, ctx.today):
            commit = max(Decimal(0), now * Decimal(1 + habit + rng.gauss(0, 0.05)))
            calls.append(_call(ctx, rng, manager, kind, period.start, commit, day))
    return calls


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
            calls.append(_call(ctx, rng, manager, kind, start, commit, start.replace(day=10)))
        calls += _current_calls(ctx, rng, manager, habit)
    ForecastCall.objects.bulk_create(calls)
    return len(calls)
