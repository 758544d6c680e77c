"""The deal family: revenue, won and lost deals, opportunities, sales cycle, open pipeline.

A flow counts a deal by the date that makes it one: won, lost, revenue and cycle by `closed_on`,
opportunities by `created_on`. The open pipeline is a stock: the deals open now (in month and
quarter groups, and for coverage, by the period they are due in: `pipeline.due`).

Sales cycles come from a second, narrow query over the deals closed in the period (a covering
index answers it on PostgreSQL): per group and for the total, the closed deals, their days and
the exact median. PostgreSQL computes the median itself (percentile_cont over GROUPING SETS);
SQLite has no median, so it returns how many deals took each number of days and the median
is read off that frequency table. Folding the median into the sums query would make
PostgreSQL sort every deal of the scope (2.3x the sums at 100k deals, 3.4x at 1M: see
bench/metrics.py).
"""

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import (
    Count,
    Expression,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce

from core.periods import Period
from metrics.formulas import median_of_counts
from metrics.queries.closed import CLOSED_KEYS, CYCLE_KEYS, rollup_answers, rollup_rows
from metrics.queries.common import (
    AMOUNT_X_PERCENT,
    TIME_GROUPS,
    TOTAL,
    Paths,
    Raw,
    Rows,
    bucket,
    group_key,
    grouped,
    in_period,
    merge,
    money,
)
from metrics.queries.stock import stock_rows, with_stock
from metrics.scope import DEAL_TERRITORY
from pipeline.crediting import CREDITED_MANAGER, CREDITED_OWNER, CREDITED_TEAM
from pipeline.cycle import CYCLE
from pipeline.due import due_in_q, due_on
from pipeline.models import Billing, Deal, DealType, StageKind

PATHS: Paths = {
    "rep": CREDITED_OWNER,
    "manager": CREDITED_MANAGER,
    "team": CREDITED_TEAM,
    "territory": DEAL_TERRITORY,
    "product": "product_id",
    "segment": "account__segment",
    "source": "lead_source",
}
# The same groups for closed deals alone (the sales-cycle query): the credit stamped at close,
# which the planner can read from an index, not a CASE over every deal.
CLOSED_PATHS: Paths = {
    **PATHS,
    "rep": "closed_owner_id",
    "manager": "closed_manager_id",
    "team": "closed_team_id",
    "territory": "closed_territory_id",
}
# The groups of open deals alone (the open pipeline beside the rollups): their owner now, so
# the planner reads a covering index of open deals.
OPEN_PATHS: Paths = {
    **PATHS,
    "rep": "owner_id",
    "manager": "owner__manager_id",
    "team": "owner__team_id",
    "territory": Coalesce("territory_id", "account__territory_id"),
}
# Keys a grouped total can add up from its groups (every deal falls in exactly one group).
ADDITIVE = (
    "won", "lost", "opportunities", "revenue", "revenue_new", "revenue_recurring",
    "new_recurring", "open_deals", "pipeline", "weighted_x100", "period_weighted_x100",
    "cycles", "cycle_days",
)  # fmt: skip

WON = Q(status=StageKind.WON)
LOST = Q(status=StageKind.LOST)
OPEN = Q(status=StageKind.OPEN)
NEW = Q(type=DealType.NEW_BUSINESS)
RECURRING = Q(product__billing=Billing.RECURRING)


def closed_in(period: Period) -> Q:
    return Q(status__in=[StageKind.WON, StageKind.LOST]) & in_period("closed_on", period)


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


def deal_rows(
    deals: QuerySet[Deal],
    period: Period,
    by: str | None,
    *,
    today: date,
    as_of: date | None = None,
    closed: Q | None = None,
) -> Rows:
    """Raw deal aggregates per group and a TOTAL (or only TOTAL), with sales-cycle figures;
    open deals are due in a period as of `today`.

    With `as_of`, the open pipeline is the one at the end of that day (see `stock`).
    With `closed` (the scope's closed deals as a condition on the filled daily rollup), the
    closed-deal figures come from the rollup and only the rest from the deals, for every
    grouping the rollup holds (`rollup_answers`); any other grouping reads the deals alone.
    """
    rolled = None if closed is None or not rollup_answers(by) else rollup_rows(closed, period, by)
    if by in TIME_GROUPS:
        rows = _time_rows(deals, period, by, today, rolled)
    else:
        rows = _rows(deals, period, by, today, rolled)
    if as_of is not None:
        rows = with_stock(rows, stock_rows(deals, period, by, as_of))
    if rolled is None:
        cycles = cycle_stats(deals, period, by, total=by not in TIME_GROUPS)
    else:
        cycles = {
            key: {name: row[name] for name in CYCLE_KEYS}
            for key, row in rolled.items()
            if "cycles" in row  # a group with deals created in the period and none closed
        }
        if by in TIME_GROUPS:
            cycles.pop(TOTAL, None)
    if by and by not in TIME_GROUPS:  # every deal is in exactly one group: totals add up
        rows[TOTAL] = _added(rows.values())
    for key, stats in cycles.items():
        rows.setdefault(key, {}).update(stats)
    return rows


def _rows(
    deals: QuerySet[Deal], period: Period, by: str | None, today: date, rolled: Rows | None
) -> Rows:
    """All the sums per group in one query (the closed ones and the opportunities from
    `rolled` when given: then the query reads the open deals alone)."""
    pipeline = {
        **pipeline_aggregates(Q()),
        "period_weighted_x100": money(OPEN & due_in_q(period, today), AMOUNT_X_PERCENT),
    }
    if rolled is not None:
        rows = grouped(deals.filter(OPEN), group_key(by, OPEN_PATHS, "closed_on"), pipeline)
        return merge(rows, _closed_sums(rolled, by))
    created = in_period("created_on", period)
    aggregates = {
        **closed_aggregates(period),
        "opportunities": Count("id", filter=created),
        **pipeline,
    }
    relevant = deals
    if created:  # an unbounded period keeps every deal
        relevant = deals.filter(closed_in(period) | created | OPEN)
    return grouped(relevant, group_key(by, PATHS, "closed_on"), aggregates)


def _closed_sums(rolled: Rows, by: str | None) -> Rows:
    """The rollups' closed-deal sums and opportunities, without the total a grouped query adds
    up itself."""
    return {
        key: {name: row.get(name, 0) for name in (*CLOSED_KEYS, "opportunities")}
        for key, row in rolled.items()
        if by is None or key is not TOTAL
    }


def cycle_stats(deals: QuerySet[Deal], period: Period, by: str | None, *, total: bool) -> Rows:
    """{group: {cycles, cycle_days, cycle_median}} over the deals closed in the period, with
    TOTAL (the whole scope's median is not made of the groups') when `total` or ungrouped.

    `cycles` closed deals took `cycle_days` days from created to closed in all; the median is
    the middle deal's days (the mean of the middle two), None without closed deals.
    """
    key = group_key(by, CLOSED_PATHS, "closed_on")
    days: QuerySet[Deal, Any] = deals.filter(closed_in(period)).order_by()
    days = days.values(days=CYCLE) if key is None else days.values(group=key, days=CYCLE)
    inner, params = days.query.sql_with_params()
    connection = connections[deals.db]
    with connection.cursor() as cursor:
        stats = _median_stats if connection.vendor == "postgresql" else _frequency_stats
        rows = stats(cursor, inner, params, key is not None, total)
    if key is None:
        return rows
    convert = _converter(days.query.annotations["group"], connection)
    return {group if group is TOTAL else convert(group): row for group, row in rows.items()}


def _converter(expression: Expression, connection: BaseDatabaseWrapper) -> Callable:
    """What the ORM does to a selected value (a month bucket becomes a date on both databases),
    for values read with a plain cursor."""
    steps = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)

    def convert(value: Any) -> Any:
        for step in steps:
            value = step(value, expression, connection)
        return value

    return convert


def _median_stats(
    cursor: CursorWrapper, inner: str, params: tuple, grouped: bool, total: bool
) -> Rows:
    figures = "COUNT(*), SUM(days), PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY days)"
    if not grouped:
        cursor.execute(f"SELECT 1, NULL, {figures} FROM ({inner}) closed", params)
    else:
        sets = '(("group"), ())' if total else '(("group"))'
        cursor.execute(
            f'SELECT GROUPING("group"), "group", {figures} FROM ({inner}) closed '
            f"GROUP BY GROUPING SETS {sets}",
            params,
        )
    return {
        TOTAL if whole else group: _cycle(n, days, None if median is None else Decimal(median))
        for whole, group, n, days, median in cursor.fetchall()
    }


def _frequency_stats(
    cursor: CursorWrapper, inner: str, params: tuple, grouped: bool, total: bool
) -> Rows:
    """The median from how many deals took each number of days (SQLite has no median)."""
    group = '"group"' if grouped else "NULL"
    cursor.execute(f"SELECT {group}, days, COUNT(*) FROM ({inner}) closed GROUP BY 1, 2", params)
    whole = total or not grouped
    counts: dict = {TOTAL: Counter()} if whole else {}
    for key, days, n in cursor.fetchall():
        if grouped:
            counts.setdefault(key, Counter())[days] = n
        if whole:
            counts[TOTAL][days] += n
    return {
        key: _cycle(c.total(), sum(d * n for d, n in c.items()), median_of_counts(c))
        for key, c in counts.items()
    }


def _cycle(n: int, days: int | None, median: Decimal | None) -> Raw:
    return {"cycles": n, "cycle_days": days or 0, "cycle_median": median}


def _added(rows: Iterable[Raw]) -> Raw:
    """The groups' sums added up (the median is not: it comes from its own query)."""
    rows = list(rows)
    return {name: sum(row.get(name) or 0 for row in rows) for name in ADDITIVE}


def _time_rows(
    deals: QuerySet[Deal], period: Period, by: str, today: date, rolled: Rows | None
) -> Rows:
    """Month or quarter buckets: each date field is bucketed by its own query, open deals by
    the day they are due; closed deals from `rolled` when given."""
    closed = deals.filter(closed_in(period))
    created = deals.filter(in_period("created_on", period))
    due = deals.filter(OPEN & due_in_q(period, today))
    pipeline = pipeline_aggregates(Q())
    pipeline["period_weighted_x100"] = pipeline["weighted_x100"]
    return merge(
        *(
            [
                grouped(closed, bucket(by, "closed_on"), closed_aggregates(period)),
                grouped(created, bucket(by, "created_on"), {"opportunities": Count("id")}),
            ]
            if rolled is None
            else [_closed_sums(rolled, by)]
        ),
        grouped(due, bucket(by, due_on(today)), pipeline),
    )


def new_customers(deals: QuerySet[Deal], period: Period) -> int:
    """Distinct accounts of the won new-business deals closed in the period (one query, kept
    out of the grouped sums: a distinct count there would sort every group's rows)."""
    won = deals.filter(WON & NEW & in_period("closed_on", period), account__isnull=False)
    return won.order_by().values("account").distinct().count()
