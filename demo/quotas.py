"""Bookings quotas per rep (month and fiscal quarter) and per team (fiscal quarter).

Like a sales-ops team, the builder sets one quota for a fully ramped rep from last results, so
that the median rep lands a little under 100 % and the spread comes from the reps themselves.
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from statistics import median

from core.periods import add_months, is_period_start, period_containing
from demo.context import DemoContext, money, ramp
from demo.deals import Plan
from demo.org import Org, Rep
from org.models import Team
from quotas.models import PeriodKind, Quota, QuotaMetric

TARGET_ATTAINMENT = 0.92
# Managers hand out about 10 % more quota than they carry, to cover misses.
OVER_ASSIGNMENT = Decimal("1.1")


def quotas_create(ctx: DemoContext, org: Org, plans: list[Plan]) -> int:
    months = _months(ctx)
    unit = median(bookings_rates(ctx, org, plans).values()) / TARGET_ATTAINMENT
    rows: list[Quota] = []
    team_totals: defaultdict[tuple[Team | None, date], Decimal] = defaultdict(Decimal)
    for rep in org.reps:
        monthly = {m: _rounded(unit * _weight(ctx, rep, m)) for m in months if _hired_by(rep, m)}
        quarterly = _by_quarter(monthly)
        rows += _quotas(PeriodKind.MONTH, monthly, rep=rep.user)
        rows += _quotas(PeriodKind.QUARTER, quarterly, rep=rep.user)
        for quarter, amount in quarterly.items():
            team_totals[rep.user.team, quarter] += amount
    for team in org.teams.values():
        carried = {q: total for (owner, q), total in team_totals.items() if owner is team}
        rows += _quotas(PeriodKind.QUARTER, _team_share(carried), team=team)
    return len(Quota.objects.bulk_create(rows, batch_size=500))


def _quotas(period: str, amounts: dict[date, Decimal], **assignee) -> list[Quota]:
    return [
        Quota(metric=QuotaMetric.BOOKINGS, period=period, start=start, amount=amount, **assignee)
        for start, amount in amounts.items()
    ]


def _team_share(carried: dict[date, Decimal]) -> dict[date, Decimal]:
    return {q: _rounded(float(total / OVER_ASSIGNMENT)) for q, total in carried.items()}


def _months(ctx: DemoContext) -> list[date]:
    """From the first full fiscal quarter of the history to the end of this fiscal year."""
    first = ctx.start
    while not is_period_start(first, PeriodKind.QUARTER):
        first = add_months(first, 1)
    end = period_containing(ctx.today, PeriodKind.YEAR).end
    months = [first]
    while add_months(months[-1], 1) < end:
        months.append(add_months(months[-1], 1))
    return months


def _hired_by(rep: Rep, month: date) -> bool:
    return rep.hired_on < add_months(month, 1)


def _weight(ctx: DemoContext, rep: Rep, month: date) -> float:
    """Quota grows with the company and is lighter in a new rep's first months."""
    middle = month + timedelta(days=14)
    return ctx.trend(middle) * ramp(rep.hired_on, middle)


def bookings_rates(ctx: DemoContext, org: Org, plans: list[Plan]) -> dict[Rep, float]:
    """Per rep: won amount per unit of quota weight over the finished months they had quota."""
    this_month = ctx.today.replace(day=1)
    closed = [m for m in _months(ctx) if m < this_month]
    won: dict[Rep, float] = defaultdict(float)
    for plan in plans:
        if plan.closed_on and plan.won and closed[0] <= plan.closed_on < this_month:
            won[plan.rep] += float(plan.final_amount)
    weights = {
        rep: sum(_weight(ctx, rep, m) for m in closed if _hired_by(rep, m)) for rep in org.reps
    }
    return {rep: won[rep] / weight for rep, weight in weights.items() if weight}


def _rounded(value: float) -> Decimal:
    return money(value, 1000 if value >= 20_000 else 10)


def _by_quarter(monthly: dict[date, Decimal]) -> dict[date, Decimal]:
    quarters: dict[date, Decimal] = defaultdict(Decimal)
    for month, amount in monthly.items():
        quarters[period_containing(month, PeriodKind.QUARTER).start] += amount
    return dict(quarters)
