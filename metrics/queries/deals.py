"""The deal family: revenue, won and lost deals, opportunities, sales cycle, open pipeline.

A flow counts a deal by the date that makes it one: won, lost, revenue and cycle by `closed_on`,
opportunities by `created_on`. The open pipeline is a stock: the deals open now (in month and
quarter groups, bucketed by `expected_close_on`).

Sales cycles come from a second query: how many closed deals took each number of days, per
group. From that frequency table the median and mean are exact and the total's is the sum of
the groups'; a database median (PostgreSQL's percentile_cont) would have to sort every group
and costs about three times the sums (see bench/metrics.py).
"""

from collections import Counter
from collections.abc import Iterable

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
)

from metrics.periods import Period
from metrics.queries.common import (
    MONEY_SUM,
    TIME_GROUPS,
    TOTAL,
    DaysBetween,
    Paths,
    Raw,
    Rows,
    bucket,
    group_key,
    grouped,
    in_period,
    merge,
)
from metrics.scope import DEAL_TERRITORY
from pipeline.models import Billing, Deal, DealType, StageKind

PATHS: Paths = {
    "rep": "owner_id",
    "manager": "owner__manager_id",
    "team": "owner__team_id",
    "territory": DEAL_TERRITORY,
    "product": "product_id",
    "segment": "account__segment",
}
# Keys a grouped total can add up from its groups (every deal falls in exactly one group).
ADDITIVE = (
    "won", "lost", "opportunities", "revenue", "revenue_new", "revenue_recurring",
    "new_recurring", "open_deals", "pipeline", "weighted_x100", "period_weighted_x100",
)  # fmt: skip

WON = Q(status=StageKind.WON)
LOST = Q(status=StageKind.LOST)
OPEN = Q(status=StageKind.OPEN)
NEW = Q(type=DealType.NEW_BUSINESS)
RECURRING = Q(product__billing=Billing.RECURRING)
CYCLE = DaysBetween("closed_on", "created_on")
AMOUNT_X_PERCENT = ExpressionWrapper(
    F("amount") * F("stage__probability"),
    output_field=DecimalField(max_digits=30, decimal_places=2),
)


def closed_in(period: Period) -> Q:
    return Q(status__in=[StageKind.WON, StageKind.LOST]) & in_period("closed_on", period)


def money(condition: Q, value=None) -> Sum:
    return Sum(value or "amount", filter=condition, output_field=MONEY_SUM)


def closed_aggregates(period: Period) -> dict:
    """Won and lost deals closed in the period and their revenue."""
    won = WON & in_period("closed_on", period)
    return {
        "won": Count("id", filter=won),
        "lost": Count("id", filter=LOST & in_period("closed_on", period)),
        "revenue": money(won),
        "revenue_new": money(won & NEW),
        "revenue_recurring": money(won & RECURRING),
        "new_recurring": money(won & NEW & RECURRING),
    }


def pipeline_aggregates(window: Q) -> dict:
    """Open deals, their amount and amount x probability (percent) inside `window`."""
    condition = OPEN & window
    return {
        "open_deals": Count("id", filter=condition),
        "pipeline": money(condition),
        "weighted_x100": money(condition, AMOUNT_X_PERCENT),
    }


def deal_rows(deals: QuerySet[Deal], period: Period, by: str | None) -> Rows:
    """Raw deal aggregates per group and a TOTAL (or only TOTAL), with cycle frequencies."""
    rows = _time_rows(deals, period, by) if by in TIME_GROUPS else _rows(deals, period, by)
    for key, counts in cycle_counts(deals, period, by).items():
        rows.setdefault(key, {})["cycle_counts"] = counts
    if by and by not in TIME_GROUPS:  # every deal is in exactly one group: totals add up
        rows[TOTAL] = _added(rows.values())
    return rows


def _rows(deals: QuerySet[Deal], period: Period, by: str | None) -> Rows:
    """All the sums per group in one query."""
    created = in_period("created_on", period)
    aggregates = {
        **closed_aggregates(period),
        "opportunities": Count("id", filter=created),
        **pipeline_aggregates(Q()),
        "period_weighted_x100": money(
            OPEN & in_period("expected_close_on", period), AMOUNT_X_PERCENT
        ),
    }
    relevant = deals
    if created:  # an unbounded period keeps every deal
        relevant = deals.filter(closed_in(period) | created | OPEN)
    return grouped(relevant, group_key(by, PATHS, "closed_on"), aggregates)


def cycle_counts(deals: QuerySet[Deal], period: Period, by: str | None) -> dict:
    """{group: {days from created to closed: closed deals}}, for deals closed in the period."""
    key = group_key(by, PATHS, "closed_on")
    group = Value(None, output_field=IntegerField()) if key is None else key
    rows = (
        deals.filter(closed_in(period))
        .order_by()
        .values(group=group, days=CYCLE)
        .annotate(n=Count("id"))
        .values_list("group", "days", "n")
    )
    counts: dict = {}
    for group_id, days, n in rows:
        counts.setdefault(TOTAL if key is None else group_id, {})[days] = n
    return counts


def _added(rows: Iterable[Raw]) -> Raw:
    """The groups' sums and cycle frequencies added up."""
    rows = list(rows)
    total: Raw = {name: sum(row.get(name) or 0 for row in rows) for name in ADDITIVE}
    total["cycle_counts"] = Counter()
    for row in rows:
        total["cycle_counts"].update(row.get("cycle_counts", {}))
    return total


def _time_rows(deals: QuerySet[Deal], period: Period, by: str) -> Rows:
    """Month or quarter buckets: each date field is bucketed by its own query."""
    closed = deals.filter(closed_in(period))
    created = deals.filter(in_period("created_on", period))
    expected = in_period("expected_close_on", period) & Q(expected_close_on__isnull=False)
    pipeline = pipeline_aggregates(Q())
    pipeline["period_weighted_x100"] = pipeline["weighted_x100"]
    return merge(
        grouped(closed, bucket(by, "closed_on"), closed_aggregates(period)),
        grouped(created, bucket(by, "created_on"), {"opportunities": Count("id")}),
        grouped(deals.filter(OPEN & expected), bucket(by, "expected_close_on"), pipeline),
    )


def new_customers(deals: QuerySet[Deal], period: Period) -> int:
    """Distinct accounts of the won new-business deals closed in the period (one query, kept
    out of the grouped sums: a distinct count there would sort every group's rows)."""
    won = deals.filter(WON & NEW & in_period("closed_on", period), account__isnull=False)
    return won.order_by().values("account").distinct().count()
