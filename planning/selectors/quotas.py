"""Reads for quota planning from what reps sold: actuals and monthly seasonality."""

from collections.abc import Collection
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from core.periods import Period, add_months
from metrics.queries.deals import deal_rows
from org.models import Team
from pipeline.models import Deal
from quotas.allocation import HUNDRED, ZERO, split_total
from quotas.selectors import ACTUAL_OF, member_list, plan_period
from territories.models import Territory


def actuals(rep_ids: Collection[int], metric: str, period: Period) -> dict[int, Decimal]:
    """What each rep sold on the quota's metric in the period (deals credited to their owner)."""
    rows = deal_rows(
        Deal.objects.filter(owner_id__in=rep_ids), period, "rep", today=timezone.localdate()
    )
    name = ACTUAL_OF[metric]
    return {rep: Decimal(rows.get(rep, {}).get(name) or 0) for rep in rep_ids}


def seasonality_learn(
    deals: QuerySet[Deal], metric: str, before: date, years: int = 2
) -> dict[int, Decimal]:
    """Each calendar month's share (%, two decimals, adding up to 100) of what `deals` sold on the
    metric in the `years` whole years before `before`; even shares without any history."""
    span = Period(add_months(before, -12 * years), before)
    rows = deal_rows(deals, span, "month", today=timezone.localdate())
    totals = dict.fromkeys(range(1, 13), ZERO)
    for month, row in rows.items():
        if isinstance(month, date):
            totals[month.month] += Decimal(row.get(ACTUAL_OF[metric]) or 0)
    if not any(totals.values()):
        totals = dict.fromkeys(range(1, 13), Decimal(1))
    return split_total(HUNDRED, totals)


def assignee_seasonality(
    deals: QuerySet[Deal],
    *,
    kind: str,
    start: date,
    metric: str,
    team: Team | None = None,
    territory: Territory | None = None,
) -> dict[int, Decimal]:
    """The seasonality of what a team's or territory's reps sold (from already scoped deals)."""
    reps = member_list(period=plan_period(kind, start), team=team, territory=territory)
    return seasonality_learn(deals.filter(owner__in=reps), metric, start)
